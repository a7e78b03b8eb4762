// Raises writer fences in the leader's Redis (through any slave of the current epoch, preferably
// not the one being fenced, which may be frozen) and lets answers wait until every fence is up.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { EPOCH_HEADER, type FenceRaise, type Logger } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Member } from '../membership/membership.js';
import { FenceBook } from './fence-book.js';

const RAISE_TIMEOUT_MS = 500;
const RETRY_PAUSE_MS = 20;

export class Fencer extends EventEmitter {
  readonly book = new FenceBook();
  /**
   * Names this LB's writers apart from every other LB's (README "Several LBs"): a fence this LB
   * raises for its own abandoned writes never stops another LB's writes through the same slave.
   */
  private readonly tag = randomBytes(4).toString('hex');
  private running = false;
  private rotation = 0;
  fencesRaised = 0;

  constructor(
    private readonly view: ClusterView,
    /** Slaves that serve the given epoch (forwarder.ts). */
    private readonly routable: (epoch: number) => Member[],
    private readonly log: Logger,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** The writer name a write sent through slave `memberId` carries (the book keys writers by member). */
  wireName(memberId: string): string {
    return `${this.tag}/${memberId}`;
  }

  /** A new epoch fences every older write by itself. */
  enterEpoch(epoch: number): void {
    this.book.enterEpoch(epoch);
    this.emit('progress');
  }

  abandon(writer: string, epoch: number, generation: number): void {
    if (this.book.abandon(writer, epoch, generation)) void this.run();
  }

  /**
   * Resolves true once every write given up so far (up to now, not later ones) is fenced, or
   * false after `timeoutMs`.
   */
  settled(timeoutMs: number): Promise<boolean> {
    const upTo = this.book.lastSeq;
    if (this.book.settledUpTo(upTo)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.off('progress', onProgress);
        resolve(ok);
      };
      const onProgress = () => this.book.settledUpTo(upTo) && done(true);
      const timer = setTimeout(() => done(this.book.settledUpTo(upTo)), timeoutMs);
      this.on('progress', onProgress);
    });
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.book.settled) {
        await Promise.all(this.book.pendingRaises().map((f) => this.raise(f.epoch, { writer: f.writer, generation: f.generation })));
        if (!this.book.settled) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    } finally {
      this.running = false;
      this.emit('progress');
    }
  }

  /** Through two slaves of the epoch at once (not the writer, which may be frozen), rotating. */
  private async raise(epoch: number, f: FenceRaise): Promise<void> {
    const others = this.routable(epoch).filter((m) => m.id !== f.writer);
    const through = others.length > 0 ? others : this.routable(epoch);
    if (through.length === 0) return; // no slave of this epoch to go through yet: the next round tries again
    const start = this.rotation++;
    const vias = [...new Set([through[start % through.length]!, through[(start + 1) % through.length]!])];
    await Promise.all(
      vias.map(async (via) => {
        try {
          const res = await this.view.send(via, {
            method: 'PUT',
            path: '/internal/fence',
            headers: { 'content-type': 'application/json', [EPOCH_HEADER]: String(epoch) },
            body: JSON.stringify({ ...f, writer: this.wireName(f.writer) }),
            timeoutMs: RAISE_TIMEOUT_MS,
          });
          if (res.status !== 200 || !this.book.raised(f.writer, epoch, f.generation)) return;
          this.fencesRaised++;
          this.emit('progress');
          this.log.info('writer fenced: its abandoned writes can no longer take effect', { writer: f.writer, generation: f.generation, epoch, via: via.id });
          this.emit('fenced', { writer: f.writer, generation: f.generation, epoch, via: via.id });
        } catch {
          // the next round tries again, through other slaves
        }
      }),
    );
  }
}
