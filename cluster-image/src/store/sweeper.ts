// The leader's housekeeping (hs_sweep_v2 in library.ts), once a second: index entries of expired
// keys and old op results, and after evictions (EVICTION=lru) a pass over the index for keys that
// are gone. While there is a backlog it makes several bounded calls in a row, so that it keeps up
// with a high write rate; at rest it makes one small call.
import type { LocalRedis } from '../local-redis.js';

export interface SweeperOptions {
  /** Entries per call (bounds the time Redis spends in one call). */
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
  /** A pass is under way, started when the eviction count was this. */
  private scanFrom: number | null = null;

  constructor(
    private readonly local: LocalRedis,
    private readonly opts: SweeperOptions = { batch: 1000, maxCallsPerTick: 20, everyMs: 1000 },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.opts.everyMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round (exported for tests). Never rejects: a failed call is simply tried again next tick. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      if (this.scanFrom === null) {
        const evicted = (await this.local.inspect())?.memory.evictedKeys ?? 0;
        if (evicted < this.evictedSeen) this.evictedSeen = 0; // this Redis restarted: its count too
        if (evicted > this.evictedSeen) this.scanFrom = evicted;
      }
      for (let i = 0; i < this.opts.maxCallsPerTick; i++) {
        const scanning = this.scanFrom !== null;
        const r = await this.local.sweep(this.opts.batch, scanning);
        if (scanning && r.scanDone) {
          this.evictedSeen = this.scanFrom!;
          this.scanFrom = null;
        }
        if (r.expired < this.opts.batch && this.scanFrom === null) break;
      }
    } catch {
      // The leader's Redis did not answer: the election machinery deals with that.
    } finally {
      this.running = false;
    }
  }
}
