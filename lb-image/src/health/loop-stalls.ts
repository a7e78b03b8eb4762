// Notices when this process itself stalls (a long GC pause, no CPU for a while): during a stall,
// timeouts fire late and every probe looks silent, which says nothing about the clusters.
const TICK_MS = 20;

export class LoopStalls {
  private lastStallAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly stallMs: number) {}

  start(): void {
    let expected = Date.now() + TICK_MS;
    this.timer ??= setInterval(() => {
      const now = Date.now();
      if (now - expected > this.stallMs) this.lastStallAt = now;
      expected = now + TICK_MS;
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether this process stalled at some point since `t` (ms since the epoch). */
  stalledSince(t: number): boolean {
    return this.lastStallAt >= t;
  }
}
