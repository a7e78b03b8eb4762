// Requests of the last second, for the dashboard's live charts: how many by route and by status
// class, and latency percentiles. Rolled every second while someone watches (no timer otherwise:
// an idle LB does no work for a dashboard nobody has open).

/** Latency samples kept per second: enough for stable percentiles, bounded memory under load. */
const MAX_SAMPLES = 4096;

export interface TrafficSecond {
  /** End of the second (ms since the epoch). */
  t: number;
  requests: number;
  byRoute: Record<string, number>;
  byStatus: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Milliseconds; null without requests. */
  p50: number | null;
  p99: number | null;
}

const statusClass = (status: number) => (status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx');

export class TrafficWindow {
  private byRoute = new Map<string, number>();
  private byStatus = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  private samples: number[] = [];
  private requests = 0;
  private readonly watchers = new Set<(s: TrafficSecond) => void>();
  private timer: NodeJS.Timeout | null = null;

  /** `fn` gets each second's figures until the returned function is called. */
  subscribe(fn: (s: TrafficSecond) => void): () => void {
    this.watchers.add(fn);
    if (!this.timer) {
      this.timer = setInterval(() => {
        const second = this.roll();
        for (const w of this.watchers) w(second);
      }, 1000);
      this.timer.unref();
    }
    return () => {
      this.watchers.delete(fn);
      if (this.watchers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** One request served; nothing is kept while nobody watches (no work on the hot path for no one). */
  record(method: string, route: string, status: number, seconds: number): void {
    if (!this.timer) return;
    this.requests++;
    const key = `${method} ${route}`;
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
    this.byStatus[statusClass(status)]++;
    // Past the cap, a kept sample is replaced at random (reservoir sampling): every request of the
    // second has the same chance to be among the samples.
    if (this.samples.length < MAX_SAMPLES) this.samples.push(seconds * 1000);
    else {
      const i = Math.floor(Math.random() * this.requests);
      if (i < MAX_SAMPLES) this.samples[i] = seconds * 1000;
    }
  }

  /** What was recorded since the last roll; starts the next second. */
  roll(now = Date.now()): TrafficSecond {
    const sorted = this.samples.sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 100) / 100 : null);
    const out: TrafficSecond = { t: now, requests: this.requests, byRoute: Object.fromEntries(this.byRoute), byStatus: this.byStatus, p50: pct(0.5), p99: pct(0.99) };
    this.byRoute = new Map();
    this.byStatus = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
    this.samples = [];
    this.requests = 0;
    return out;
  }
}
