// Sends bands to clusters with bounded concurrency. A band whose cluster fails or is too slow goes
// to another cluster: failures and timeouts are retried elsewhere, and when no band is left to hand
// out, idle slots start a backup copy of the oldest band still running (first answer wins).
import type { ClusterView } from '../cluster-view.js';
import type { Member } from '../membership/membership.js';
import type { Band } from './band-plan.js';

export interface DispatchOptions {
  concurrencyPerCluster: number;
  bandTimeoutMs: number;
  /** Calls the render off (its client left): every band in flight is aborted, nothing new starts. */
  signal?: AbortSignal;
}

interface BandState {
  band: Band;
  done: boolean;
  running: Map<string, AbortController>;
  attempts: number;
  startedAt: number;
}

export class RenderError extends Error {}
/** A cluster refused the band as a bad request: the LB asked for something wrong (a bug, or two versions side by side). */
export class BandRefused extends RenderError {}
class ClusterBusy extends Error {}

/** A band is "too slow" (worth a backup copy) after BACKUP_FACTOR x the median band time, and never before BACKUP_MIN_MS. */
const BACKUP_FACTOR = 3;
const BACKUP_MIN_MS = 250;

function median(values: number[]): number {
  if (values.length === 0) return Infinity; // nothing finished yet: no basis for "slow"
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** What to ask a cluster for a band, and what to do with its answer (false: not a valid answer). */
export interface BandWork {
  pathOf(band: Band): string;
  /** A body to POST with each band (a deep view's reference orbit); without it, a GET. */
  body?: Buffer;
  collect(band: Band, body: Buffer): boolean;
}

export async function dispatchBands(
  view: ClusterView,
  bands: Band[],
  work: BandWork,
  opts: DispatchOptions,
): Promise<{ bandsByCluster: Record<string, number>; retries: number; backups: number }> {
  const states: BandState[] = bands.map((band) => ({ band, done: false, running: new Map(), attempts: 0, startedAt: 0 }));
  const bandsByCluster: Record<string, number> = {};
  let remaining = states.length;
  let retries = 0; // bands sent again after a failure
  let backups = 0; // speculative copies of slow bands
  let rr = 0;
  const durations: number[] = [];

  const clusters = (): Member[] => view.table.list().filter((m) => m.healthy);
  const maxAttempts = () => 3 + clusters().length;

  return new Promise((resolveOuter, rejectOuter) => {
    // Slow bands are only noticed when the pump runs: wake it now and then while rendering.
    const ticker = setInterval(() => pump(), BACKUP_MIN_MS);
    const { signal } = opts;
    const callOff = () => fail(new RenderError('render called off'));
    const stop = () => (clearInterval(ticker), signal?.removeEventListener('abort', callOff));
    const resolve = (v: { bandsByCluster: Record<string, number>; retries: number; backups: number }) => (stop(), resolveOuter(v));
    const reject = (e: Error) => (stop(), rejectOuter(e));
    let failed = false;
    const busy = new Map<string, number>(); // in-flight bands per cluster

    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const s of states) for (const c of s.running.values()) c.abort();
      reject(err);
    };

    /** Next (band, cluster) pair to start, or null. */
    const nextJob = (): { s: BandState; m: Member } | null => {
      const free = clusters().filter((m) => (busy.get(m.id) ?? 0) < opts.concurrencyPerCluster);
      if (free.length === 0) return null;
      const fresh = states.find((s) => !s.done && s.running.size === 0);
      // Otherwise a backup copy of the oldest running band, on a cluster not already running it,
      // once that band runs clearly longer than bands usually take (copies compete for CPU).
      const slowAfter = Date.now() - Math.max(BACKUP_MIN_MS, BACKUP_FACTOR * median(durations));
      const backup = fresh
        ? undefined
        : states.filter((s) => !s.done && s.running.size === 1 && s.startedAt < slowAfter).sort((a, b) => a.startedAt - b.startedAt)[0];
      const s = fresh ?? backup;
      if (!s) return null;
      const options = free.filter((m) => !s.running.has(m.id));
      if (options.length === 0) return null;
      return { s, m: options[rr++ % options.length]! };
    };

    const pump = () => {
      if (failed) return;
      if (remaining === 0) return resolve({ bandsByCluster, retries, backups });
      let job: ReturnType<typeof nextJob>;
      while ((job = nextJob())) start(job.s, job.m);
      const anyRunning = states.some((s) => s.running.size > 0);
      if (!anyRunning) fail(new RenderError(clusters().length === 0 ? 'no healthy cluster can render' : 'bands could not be rendered'));
    };

    const start = (s: BandState, m: Member) => {
      if (s.attempts++ >= maxAttempts()) return fail(new RenderError(`pieces ${s.band.first}-${s.band.end} failed on every cluster`));
      if (s.running.size > 0) backups++;
      else if (s.attempts > 1) retries++;
      const ctrl = new AbortController();
      s.running.set(m.id, ctrl);
      if (s.running.size === 1) s.startedAt = Date.now();
      busy.set(m.id, (busy.get(m.id) ?? 0) + 1);
      view
        .send(m, {
          ...(work.body ? { method: 'POST', body: work.body, headers: { 'content-type': 'application/octet-stream' } } : { method: 'GET' }),
          path: work.pathOf(s.band),
          timeoutMs: opts.bandTimeoutMs,
          signal: ctrl.signal,
          lane: 'render',
        })
        .then((res) => {
          // 503: the cluster is busy (its render queue is full), not failing: the band goes elsewhere.
          if (res.status === 503) throw new ClusterBusy();
          if (s.done) return;
          // Not the cluster's failure: counting it as one would let a bad request mark the fleet unhealthy.
          if (res.status >= 400 && res.status < 500) return fail(new BandRefused(`a cluster refused the band (HTTP ${res.status}): ${res.body.toString('utf8', 0, 300)}`));
          if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
          if (!work.collect(s.band, res.body)) throw new Error(`a malformed answer of ${res.body.length} bytes`);
          s.done = true;
          durations.push(Date.now() - s.startedAt);
          bandsByCluster[m.id] = (bandsByCluster[m.id] ?? 0) + 1;
          remaining--;
          for (const [other, c] of s.running) if (other !== m.id) c.abort();
        })
        .catch((err) => {
          if (!s.done && !ctrl.signal.aborted && !(err instanceof ClusterBusy)) view.recordFailure(m);
        })
        .finally(() => {
          s.running.delete(m.id);
          busy.set(m.id, (busy.get(m.id) ?? 1) - 1);
          pump();
        });
    };

    if (signal?.aborted) return callOff();
    signal?.addEventListener('abort', callOff, { once: true });
    pump();
  });
}
