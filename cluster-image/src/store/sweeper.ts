// The leader's housekeeping (hs_sweep_v3 in lua/kv.lua), once a second: index entries of expired
// keys and old op results, and after evictions (EVICTION=lru) a pass over the index for keys that
// are gone. While there is a backlog it makes several bounded calls in a row, so that it keeps up
// with a high write rate; at rest it makes one small call.
import type { Logger } from '@hscale/common';
import type { LocalRedis } from '../local-redis.js';

export interface SweeperOptions {
  /** Entries per call (bounds the time Redis spends in one call: about 2.5 ms per 1,000). */
  batch: number;
  /** Calls per tick at most while there is a backlog. */
  maxCallsPerTick: number;
  everyMs: number;
}

export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Evictions already covered by a complete pass over the index. */
  private evictedSeen = 0;
  /** The eviction count when the pass under way began, or null when none is. */
  private scanFrom: number | null = null;
  /** The next call begins a pass from the start of the index. */
  private scanFresh = false;
  private lastError = '';

  constructor(
    private readonly local: LocalRedis,
    private readonly log: Logger,
    private readonly opts: SweeperOptions = { batch: 1000, maxCallsPerTick: 20, everyMs: 1000 },
  ) {}

  /** On becoming the leader: one full pass first (a previous leader's evictions are not in this Redis's count). */
  start(): void {
    if (this.timer) return;
    this.evictedSeen = 0;
    this.scanFrom = 0;
    this.scanFresh = true;
    this.timer = setInterval(() => void this.tick(), this.opts.everyMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round. Never rejects: a failed call is tried again next tick (and logged once). */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (this.scanFrom === null) {
        const info = await this.local.inspect();
        if (!info) return; // no answer: nothing to learn this time
        const evicted = info.memory.evictedKeys;
        if (evicted < this.evictedSeen) this.evictedSeen = 0; // this Redis restarted: its count too
        if (evicted > this.evictedSeen) {
          this.scanFrom = evicted;
          this.scanFresh = true;
        }
      }
      for (let i = 0; i < this.opts.maxCallsPerTick; i++) {
        const scan = this.scanFrom === null ? 'no' : this.scanFresh ? 'start' : 'continue';
        const r = await this.local.sweep(this.opts.batch, scan);
        this.scanFresh = false;
        if (scan !== 'no' && r.scanDone) {
          this.evictedSeen = Math.max(this.evictedSeen, this.scanFrom!);
          this.scanFrom = null;
        }
        if (r.expired < this.opts.batch && this.scanFrom === null) break;
      }
      this.lastError = '';
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.lastError) this.log.warn('sweep of expired and evicted index entries failed; trying again', { error: message });
      this.lastError = message;
    } finally {
      this.running = false;
    }
  }
}
