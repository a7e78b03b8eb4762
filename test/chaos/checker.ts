// Checks the history of a fault-injection run (chaos.ts). Pure: it takes what was recorded and
// returns the anomalies, so its own tests can feed it hand-made histories with each anomaly.
//
// - Key-value operations: every key must behave as one linearizable register (Wing & Gong's
//   search with Lowe's memoisation, as in Knossos and Porcupine). This covers "no acknowledged
//   write is lost" and "no read returns a value older than the last write acknowledged before it
//   began". Written values are unique, so a read names the write it saw.
// - Leadership: at most one cluster was ever seen leading any one epoch with a master Redis.
// - Convergence: at the end, every cluster's Redis holds the leader's data.
// - Malformed requests: each got a 4xx answer (never a 5xx, never a success).

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
  /** get with outcome ok: the value read, or null for "not found". */
  result?: string | null;
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
}

export interface Anomaly {
  kind: 'lost-write' | 'stale-read' | 'split-brain' | 'divergence' | 'malformed-input' | 'inconclusive';
  detail: string;
}

export interface KeyVerdict {
  /** null: the search gave up (too many orders to try), so nothing is proven either way. */
  ok: boolean | null;
  /** When not ok: the operation that no order consistent with the history could explain. */
  culprit?: Op;
  /** Operations checked (after dropping those that cannot matter). */
  checked: number;
}

type State = string | null;

interface Entry {
  op: number; // index into ops
  call: boolean;
  time: number;
  match: Entry | null; // the call's return entry
  prev: Entry | null;
  next: Entry | null;
}

/** Whether one key's operations are linearizable, starting from an absent key. */
export function checkKey(all: Op[], maxSteps = 5_000_000): KeyVerdict {
  // Reads that failed tell nothing. A write that may or may not have happened matters only if it
  // can explain something: a put whose value someone read, a delete followed by a "not found".
  const reads = all.filter((o) => o.kind === 'get' && o.outcome === 'ok');
  const read = new Set(reads.map((o) => o.result));
  const lastNotFound = reads.reduce((t, o) => (o.result === null ? Math.max(t, o.end) : t), -Infinity);
  const ops = all.filter(
    (o) =>
      o.outcome !== 'fail' &&
      !(o.kind === 'get' && o.outcome !== 'ok') &&
      !(o.kind === 'put' && o.outcome === 'unknown' && !read.has(o.value)) &&
      !(o.kind === 'del' && o.outcome === 'unknown' && o.start > lastNotFound),
  );
  const n = ops.length;
  if (n === 0) return { ok: true, checked: 0 };

  // Events in time order. A write without an answer "returns" after everything else, except a put
  // whose value was read: it took effect before the first read of its value ended (a tighter bound
  // that keeps the search small, and loses nothing: values are unique).
  const firstReadEnd = new Map<string, number>();
  for (const r of reads) if (r.result != null) firstReadEnd.set(r.result, Math.min(firstReadEnd.get(r.result) ?? Infinity, r.end));
  const returnTime = (o: Op) => (o.outcome !== 'unknown' ? o.end : o.kind === 'put' ? (firstReadEnd.get(o.value!) ?? Infinity) : Infinity);
  const events: Entry[] = [];
  ops.forEach((o, i) => {
    const call: Entry = { op: i, call: true, time: o.start, match: null, prev: null, next: null };
    const ret: Entry = { op: i, call: false, time: returnTime(o), match: null, prev: null, next: null };
    call.match = ret;
    events.push(call, ret);
  });
  // Calls before returns at the same instant: such operations count as concurrent.
  events.sort((a, b) => a.time - b.time || Number(b.call) - Number(a.call));
  const head: Entry = { op: -1, call: false, time: -Infinity, match: null, prev: null, next: null };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }

  // Zobrist hashing of the set of linearized operations, for the memo of (set, state) seen.
  const zobrist = ops.map(() => [(Math.random() * 2 ** 32) >>> 0, (Math.random() * 2 ** 32) >>> 0] as const);
  let h1 = 0;
  let h2 = 0;
  const seen = new Set<string>();
  const lift = (e: Entry) => {
    e.prev!.next = e.next;
    e.next!.prev = e.prev;
    const r = e.match!;
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  };
  const unlift = (e: Entry) => {
    const r = e.match!;
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
    e.prev!.next = e;
    e.next!.prev = e;
  };
  const step = (state: State, o: Op): [boolean, State] => {
    if (o.kind === 'put') return [true, o.value!];
    if (o.kind === 'del') return [true, null];
    return [state === (o.result ?? null), state];
  };

  let state: State = null;
  const stack: { entry: Entry; state: State }[] = [];
  let deepest = { depth: -1, culprit: undefined as Op | undefined };
  let entry = head.next;
  for (let steps = 0; head.next; steps++) {
    if (steps > maxSteps) return { ok: null, checked: n };
    if (entry!.call) {
      const o = ops[entry!.op]!;
      const [ok, next] = step(state, o);
      const [z1, z2] = zobrist[entry!.op]!;
      const memo = `${(h1 ^ z1) >>> 0}:${(h2 ^ z2) >>> 0}:${next === null ? '\u0000' : next}`;
      if (ok && !seen.has(memo)) {
        seen.add(memo);
        stack.push({ entry: entry!, state });
        state = next;
        h1 ^= z1;
        h2 ^= z2;
        lift(entry!);
        entry = head.next;
        continue;
      }
      entry = entry!.next;
    } else {
      // An operation returned before it could be placed: undo the last choice.
      if (stack.length > deepest.depth) deepest = { depth: stack.length, culprit: ops[entry!.op] };
      const top = stack.pop();
      if (!top) return { ok: false, culprit: deepest.culprit, checked: n };
      const [z1, z2] = zobrist[top.entry.op]!;
      h1 ^= z1;
      h2 ^= z2;
      state = top.state;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  return { ok: true, checked: n };
}

const describe = (o: Op) =>
  `client ${o.client} ${o.kind}${o.kind === 'put' ? ` ${JSON.stringify(o.value)}` : ''}${o.kind === 'get' ? ` -> ${JSON.stringify(o.result)}` : ''} ` +
  `[${o.start.toFixed(1)}, ${o.end.toFixed(1)}] ms${o.final ? ' (final read)' : ''}`;

export function checkRun(run: RunRecord): { anomalies: Anomaly[]; keys: number; opsChecked: number } {
  const anomalies: Anomaly[] = [];
  const byKey = new Map<string, Op[]>();
  for (const o of run.ops) byKey.set(o.key, [...(byKey.get(o.key) ?? []), o]);
  let opsChecked = 0;
  for (const [key, ops] of byKey) {
    const v = checkKey(ops);
    opsChecked += v.checked;
    if (v.ok) continue;
    if (v.ok === null) {
      anomalies.push({ kind: 'inconclusive', detail: `key ${JSON.stringify(key)}: too many possible orders of its ${v.checked} operations to decide` });
      continue;
    }
    const c = v.culprit;
    anomalies.push({
      kind: c?.final ? 'lost-write' : 'stale-read',
      detail: `key ${JSON.stringify(key)}: no order of its ${v.checked} operations explains ${c ? describe(c) : 'the history'}`,
    });
  }

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
  return { anomalies, keys: byKey.size, opsChecked };
}
