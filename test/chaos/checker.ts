// Checks the history of a fault-injection run (chaos.ts). Pure: it takes what was recorded and
// returns the anomalies, so its own tests can feed it hand-made histories with each anomaly.
//
// - Key-value operations: every key must behave as one linearizable register (Wing & Gong's
//   search in linearizability.ts). This covers "no acknowledged
//   write is lost" and "no read returns a value older than the last write acknowledged before it
//   began". Written values are unique, so a read names the write it saw.
//   A write without a definite answer may have taken effect, but only until the LB answered
//   something else (the fencing invariant, README "Fencing"): that bound is checked too, and it
//   keeps the search small on long histories.
// - Leadership: at most one cluster was ever seen leading any one epoch with a master Redis.
// - Convergence: at the end, every cluster's Redis holds the leader's data.
// - Malformed requests: each got a 4xx answer (never a 5xx, never a success).
// - Deletes: the answer ("deleted": true or false) is a read of whether the key existed.
// - TTL: a read of a value written with a TTL reports a TTL no longer than it (none for a value
//   written without one): a TTL lost or invented in a failover is caught.
// - Listings: a key present for the whole listing appears once, a key absent throughout never;
//   at the end, each cluster's listing index names exactly its keys (listing-check.ts).
// - Counters stepped by increments and compare-and-set: no step lost, none applied twice, in
//   real-time order (counter-check.ts).
import { checkCounters, type CounterOp } from './counter-check.ts';
import { checkKey, type EffectBound } from './linearizability.ts';
import { checkIndexes, checkListings, type IndexSnapshot, type Listing } from './listing-check.ts';

export type OpKind = 'put' | 'del' | 'get';

export interface Op {
  client: number;
  key: string;
  kind: OpKind;
  /** put: the value written (unique across the run). */
  value?: string;
  /** When the request was sent and when its answer arrived (ms, any monotonic clock). */
  start: number;
  end: number;
  /**
   * ok: the answer says it happened; fail: the answer says it did not (a 4xx); unknown: no answer
   * or a 5xx, so a write may or may not have taken effect, at any time after it was sent.
   */
  outcome: 'ok' | 'fail' | 'unknown';
  /** The HTTP status of the answer; absent when none arrived (timeout, connection lost). */
  status?: number;
  /** get with outcome ok: the value read, or null for "not found". */
  result?: string | null;
  /** del with outcome ok: whether the key existed (the answer's "deleted"): a delete is also a read. */
  found?: boolean;
  /** put: the TTL asked for (seconds); get with outcome ok: the TTL the answer reported (null: none). */
  ttl?: number | null;
  /** A read made after every fault was healed. */
  final?: boolean;
}

export interface LeaderSighting {
  at: number;
  cluster: string;
  epoch: number;
  /** The cluster's slave said it leads this epoch, and its Redis was a master. */
  leading: boolean;
}

export interface ClusterData {
  cluster: string;
  /** key -> value (null: absent) for the keys of the run. */
  data: Record<string, string | null>;
}

export interface MalformedAnswer {
  request: string;
  status: number;
}

export interface RunRecord {
  ops: Op[];
  sightings: LeaderSighting[];
  /** The leader's data and every other cluster's, read at the end. */
  finalData?: { leader: ClusterData; others: ClusterData[] };
  malformed: MalformedAnswer[];
  /** Listings made during the run, and the keys they may name. */
  listings?: Listing[];
  listedKeys?: string[];
  /** Each cluster's keys and listing index, read at the end. */
  indexes?: IndexSnapshot[];
  /** Counter steps, and each counter's value read at the end (null: absent or not read). */
  counterOps?: CounterOp[];
  counterFinals?: Record<string, number | null>;
}

export interface Anomaly {
  kind: 'lost-write' | 'stale-read' | 'late-write' | 'split-brain' | 'divergence' | 'malformed-input' | 'ttl' | 'listing' | 'index' | 'counter';
  detail: string;
}

export interface CheckOptions {
  /**
   * The LB gives up on any request within this many ms of receiving it (its deadline plus the
   * longest attempt). Bounds a write that got no answer at all; one answered with a 5xx was given up
   * before that answer.
   */
  giveUpMs: number;
  maxSteps?: number;
}

/**
 * The fencing invariant as a bound. Once the LB has given up on a write, every answer about data
 * it sends afterwards waits until that write is fenced, so the write takes effect (if it ever does)
 * before the end of any operation, on any key, that was sent after the LB gave up and answered with
 * data. The LB gave up before its 5xx answer arrived, or within `giveUpMs` of the request being sent
 * when nothing arrived.
 */
export function fencingBound(ops: Op[], giveUpMs: number): EffectBound {
  const answered = ops.filter((o) => o.outcome === 'ok').sort((a, b) => a.start - b.start);
  // earliestEnd[i]: the earliest end among answered[i..].
  const earliestEnd = new Array<number>(answered.length + 1).fill(Infinity);
  for (let i = answered.length - 1; i >= 0; i--) earliestEnd[i] = Math.min(answered[i]!.end, earliestEnd[i + 1]!);
  return (o) => {
    const givenUpBy = o.status !== undefined ? o.end : Math.max(o.end, o.start + giveUpMs);
    let lo = 0;
    let hi = answered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (answered[mid]!.start > givenUpBy) hi = mid;
      else lo = mid + 1;
    }
    return earliestEnd[lo]!;
  };
}

const describe = (o: Op) =>
  `client ${o.client} ${o.kind}${o.kind === 'put' ? ` ${JSON.stringify(o.value)}` : ''}${o.kind === 'get' ? ` -> ${JSON.stringify(o.result)}` : ''} ` +
  `[${o.start.toFixed(1)}, ${o.end.toFixed(1)}] ms${o.final ? ' (final read)' : ''}`;

export interface Verdict {
  anomalies: Anomaly[];
  keys: number;
  opsChecked: number;
  /** Operations in stretches of a key's history too tangled to search (linearizability.ts). */
  opsUnchecked: number;
}

export function checkRun(run: RunRecord, opts: CheckOptions = { giveUpMs: Infinity }): Verdict {
  const anomalies: Anomaly[] = [];
  const bound = opts.giveUpMs === Infinity ? () => Infinity : fencingBound(run.ops, opts.giveUpMs);
  const byKey = new Map<string, Op[]>();
  for (const o of run.ops) {
    const list = byKey.get(o.key);
    if (list) list.push(o);
    else byKey.set(o.key, [o]);
  }
  let opsChecked = 0;
  let opsUnchecked = 0;
  for (const [key, ops] of byKey) {
    const v = checkKey(ops, opts.maxSteps, bound);
    opsChecked += v.checked;
    opsUnchecked += v.unchecked;
    if (v.ok) continue;
    const c = v.culprit;
    // Explained once given-up writes may land at any time: linearizable, but a write took effect
    // after the LB had answered something else (the fencing invariant broken), not a plain stale read.
    if (opts.giveUpMs !== Infinity && checkKey(ops, opts.maxSteps, () => Infinity).ok === true) {
      anomalies.push({
        kind: 'late-write',
        detail: `key ${JSON.stringify(key)}: a write the LB had given up on took effect after the LB answered another request (first unexplained: ${c ? describe(c) : 'the history'})`,
      });
      continue;
    }
    anomalies.push({
      kind: c?.final ? 'lost-write' : 'stale-read',
      detail: `key ${JSON.stringify(key)}: no order of its ${v.checked} operations explains ${c ? describe(c) : 'the history'}`,
    });
  }

  const ttlOf = new Map(run.ops.filter((o) => o.kind === 'put').map((o) => [o.value!, o.ttl ?? null]));
  for (const o of run.ops) {
    if (o.kind !== 'get' || o.outcome !== 'ok' || o.result == null || o.ttl === undefined || !ttlOf.has(o.result)) continue;
    const asked = ttlOf.get(o.result)!;
    if (asked === null ? o.ttl !== null : o.ttl === null || o.ttl > asked || o.ttl <= 0) {
      anomalies.push({ kind: 'ttl', detail: `${describe(o)} reported TTL ${o.ttl} for a value written with ${asked === null ? 'none' : `${asked} s`}` });
    }
  }

  if (run.listings && run.listedKeys) {
    for (const detail of checkListings(run.listings, run.ops, run.listedKeys)) anomalies.push({ kind: 'listing', detail });
  }
  for (const detail of checkIndexes(run.indexes ?? [])) anomalies.push({ kind: 'index', detail });
  if (run.counterOps) for (const detail of checkCounters(run.counterOps, run.counterFinals ?? {})) anomalies.push({ kind: 'counter', detail });

  const leaders = new Map<number, Set<string>>();
  for (const s of run.sightings.filter((x) => x.leading)) leaders.set(s.epoch, (leaders.get(s.epoch) ?? new Set()).add(s.cluster));
  for (const [epoch, clusters] of leaders) {
    if (clusters.size > 1) anomalies.push({ kind: 'split-brain', detail: `epoch ${epoch} was led by ${[...clusters].join(' and ')}` });
  }

  if (run.finalData) {
    const { leader, others } = run.finalData;
    for (const c of others) {
      const differs = Object.keys({ ...leader.data, ...c.data }).filter((k) => (leader.data[k] ?? null) !== (c.data[k] ?? null));
      if (differs.length > 0) {
        const k = differs[0]!;
        anomalies.push({
          kind: 'divergence',
          detail: `${c.cluster} differs from the leader ${leader.cluster} on ${differs.length} keys, e.g. ${JSON.stringify(k)}: ${JSON.stringify(c.data[k] ?? null)} vs ${JSON.stringify(leader.data[k] ?? null)}`,
        });
      }
    }
  }

  for (const m of run.malformed) {
    if (m.status < 400 || m.status >= 500) anomalies.push({ kind: 'malformed-input', detail: `${m.request} was answered ${m.status}` });
  }
  return { anomalies, keys: byKey.size, opsChecked, opsUnchecked };
}
