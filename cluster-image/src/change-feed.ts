// Wakes this slave's watchers (GET /internal/watch) when the leader's change stream grows: one
// blocking XREAD for all of them, on its own connection, instead of one per watcher or polling.
// What a watcher delivers it reads itself, confirmed by a majority (LeaderStore.changes): the
// XREAD only says "look now", so a wake-up from a Redis that is no longer the leader costs a read.
import { idBefore, type Logger } from '@hscale/common';
import type { Leadership } from './leadership.js';
import { CHANGE_BLOCK_MS, type LeaderStore } from './leader-store.js';

interface Waiter {
  after: string;
  wake: () => void;
}

export class ChangeFeed {
  private readonly waiters = new Set<Waiter>();
  private running = false;
  /**
   * The newest change id the XREAD saw, and from which store in which epoch: a new leader, or the
   * same Redis promoted again (it may have restarted empty), starts afresh.
   */
  private head = { store: null as LeaderStore | null, epoch: 0, id: '' };

  private headIsCurrent(): boolean {
    return this.head.store === this.leadership.leaderStore && this.head.epoch === this.leadership.epoch;
  }

  constructor(
    private readonly leadership: Leadership,
    private readonly log: Logger,
  ) {}

  /** Resolves once a change after `after` may exist, or after `timeoutMs`. */
  waitAfter(after: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const w: Waiter = { after, wake: () => done() };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(w);
        resolve();
      };
      signal?.addEventListener('abort', done);
      if (this.headIsCurrent() && this.head.id && idBefore(after, this.head.id)) return done();
      this.waiters.add(w);
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiters.size > 0) {
        const store = this.leadership.leaderStore;
        const epoch = this.leadership.epoch;
        if (!this.headIsCurrent()) this.head = { store, epoch, id: '' };
        // From the newest position anyone waits at: whatever comes after it wakes them all.
        const from = this.head.id || [...this.waiters].map((w) => w.after).reduce((a, b) => (idBefore(a, b) ? b : a));
        try {
          if (!store) throw new Error('no leader');
          const last = await store.waitForChange(from, CHANGE_BLOCK_MS);
          if (last && this.head.store === store && this.head.epoch === epoch) this.head = { store, epoch, id: last };
        } catch (err) {
          // No leader, or it failed: the watchers retry their reads; pause so this never spins.
          this.log.debug('change feed: waiting failed', { error: String((err as Error)?.message ?? err) });
          await new Promise((r) => setTimeout(r, 250));
        }
        for (const w of [...this.waiters]) if (!this.head.id || idBefore(w.after, this.head.id)) w.wake();
      }
    } finally {
      this.running = false;
    }
  }
}
