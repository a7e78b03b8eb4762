// Whether one key's history is linearizable as a register (Wing & Gong's search with Lowe's
// memoisation, as in Knossos and Porcupine), pure. Used by checker.ts.
//
// The history is cut where no operation is in flight: every operation before a cut has returned,
// every one after it is called later, so each segment can be searched alone, starting from each
// state the previous one can end in. The search of a segment is exhaustive (it collects every state
// the segment can end in), which is cheap on a short segment and keeps a long run's search, and the
// proof of an anomaly, proportional to the run. A segment too tangled to search within the budget
// is left unchecked, not the rest of the key: the next segment starts from every state it could
// have left (its start states, each value it may have written, and "absent" if it may have deleted).
//
// A delete is a read too: its answer says whether the key existed ("deleted": true or false).
import type { Op } from './checker.ts';

export interface KeyVerdict {
  ok: boolean;
  /** When not ok: the operation that no order consistent with the history could explain. */
  culprit?: Op;
  /** Operations checked (after dropping those that cannot matter). */
  checked: number;
  /** Of those, the ones in segments the search gave up on (too many orders to try). */
  unchecked: number;
}

/** A write with no definite answer takes effect, if ever, before this time (Infinity: no bound known). */
export type EffectBound = (o: Op) => number;

type State = string | null;

interface Entry {
  op: number; // index into the segment's operations
  call: boolean;
  time: number;
  match: Entry | null; // the call's return entry
  prev: Entry | null;
  next: Entry | null;
}

/**
 * Whether one key's operations are linearizable, starting from an absent key. `bound` says by when
 * a write without a definite answer must have taken effect, if it did (default: no bound).
 */
/** `maxSteps` bounds the search of each segment (a stretch of the history with something always in flight). */
export function checkKey(all: Op[], maxSteps = 5_000_000, bound: EffectBound = () => Infinity): KeyVerdict {
  // Reads that failed tell nothing. A write that may or may not have happened matters only if it
  // can explain something: a put whose value someone read, a delete followed by a "not found".
  const reads = all.filter((o) => o.kind === 'get' && o.outcome === 'ok');
  const read = new Set(reads.map((o) => o.result));
  // Deletes that answered: "found nothing" is a read of absent; "deleted" proves a value was there,
  // which an unanswered put may explain.
  const answeredDels = all.filter((o) => o.kind === 'del' && o.outcome === 'ok' && o.found !== undefined);
  const lastNotFound = [...reads.filter((o) => o.result === null), ...answeredDels.filter((o) => !o.found)].reduce((t, o) => Math.max(t, o.end), -Infinity);
  const lastFound = answeredDels.filter((o) => o.found).reduce((t, o) => Math.max(t, o.end), -Infinity);
  const ops = all.filter(
    (o) =>
      o.outcome !== 'fail' &&
      !(o.kind === 'get' && o.outcome !== 'ok') &&
      !(o.kind === 'put' && o.outcome === 'unknown' && !read.has(o.value) && o.start > lastFound) &&
      !(o.kind === 'del' && o.outcome === 'unknown' && o.start > lastNotFound),
  );
  if (ops.length === 0) return { ok: true, checked: 0, unchecked: 0 };

  // A write without a definite answer "returns" at its bound: it takes effect before then, or never.
  // A put whose value was read took effect before the first such read ended (values are unique).
  const firstReadEnd = new Map<string, number>();
  for (const r of reads) if (r.result != null) firstReadEnd.set(r.result, Math.min(firstReadEnd.get(r.result) ?? Infinity, r.end));
  const timed = ops.map((o) => ({
    o,
    ret: o.outcome !== 'unknown' ? o.end : Math.min(bound(o), o.kind === 'put' ? (firstReadEnd.get(o.value!) ?? Infinity) : Infinity),
  }));
  timed.sort((a, b) => a.o.start - b.o.start);

  let states = new Set<State>([null]);
  let unchecked = 0;
  for (let from = 0; from < timed.length; ) {
    // A cut goes before the first call that comes after every earlier return.
    let to = from + 1;
    for (let lastReturn = timed[from]!.ret; to < timed.length && timed[to]!.o.start <= lastReturn; to++) {
      lastReturn = Math.max(lastReturn, timed[to]!.ret);
    }
    // Each segment gets the whole budget: a long run is many segments, and their steps add up
    // (a 7,180-operation key of a loaded run once ran out of a budget shared by all of them).
    const segment = timed.slice(from, to);
    const r = searchSegment(segment, states, { steps: maxSteps }, to < timed.length);
    if (r === null) {
      unchecked += segment.length;
      states = statesAfterUndecided(segment.map((s) => s.o), states);
    } else if (r.ends.size === 0) return { ok: false, culprit: r.culprit, checked: ops.length, unchecked };
    else states = r.ends;
    from = to;
  }
  return { ok: true, checked: ops.length, unchecked };
}

/** Every state a segment that was not searched may have left: a superset, so nothing is claimed from it. */
export function statesAfterUndecided(segment: Op[], starts: Set<State>): Set<State> {
  const ends = new Set<State>(starts);
  for (const o of segment) {
    if (o.kind === 'put') ends.add(o.value!);
    else if (o.kind === 'del') ends.add(null);
  }
  return ends;
}

/**
 * The states `segment` can end in from one of `starts` (none: no order explains it): all of them, or
 * the first one found when `all` is false; null when out of steps.
 */
function searchSegment(segment: { o: Op; ret: number }[], starts: Set<State>, budget: { steps: number }, all: boolean): { ends: Set<State>; culprit?: Op } | null {
  const ops = segment.map((s) => s.o);
  const events: Entry[] = [];
  segment.forEach(({ o, ret }, i) => {
    const call: Entry = { op: i, call: true, time: o.start, match: null, prev: null, next: null };
    const back: Entry = { op: i, call: false, time: ret, match: null, prev: null, next: null };
    call.match = back;
    events.push(call, back);
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
    if (o.kind === 'del') return [o.outcome !== 'ok' || o.found === undefined || o.found === (state !== null), null];
    return [state === (o.result ?? null), state];
  };

  // Zobrist hashing of the set of placed operations, for the memo of (set, state) already explored:
  // what can follow depends on nothing else, whichever state the segment started from.
  const zobrist = ops.map(() => [(Math.random() * 2 ** 32) >>> 0, (Math.random() * 2 ** 32) >>> 0] as const);
  const seen = new Set<string>();
  const ends = new Set<State>();
  let deepest = { depth: -1, culprit: undefined as Op | undefined };

  for (const start of starts) {
    // Each call entry is tried as taking effect there; a write without a definite answer is then also
    // tried as never taking effect (placed as a no-op: it must still be placed before its return).
    let state: State = start;
    let h1 = 0;
    let h2 = 0;
    const stack: { entry: Entry; state: State; never: boolean }[] = [];
    let entry = head.next;
    let never = false;
    for (;;) {
      if (--budget.steps < 0) return null;
      if (entry && entry.call) {
        const o = ops[entry.op]!;
        const [ok, next] = never ? [true, state] : step(state, o);
        const [z1, z2] = zobrist[entry.op]!;
        const memo = `${(h1 ^ z1) >>> 0}:${(h2 ^ z2) >>> 0}:${next === null ? '\u0000' : next}`;
        if (ok && !seen.has(memo)) {
          seen.add(memo);
          stack.push({ entry, state, never });
          never = false;
          state = next;
          h1 ^= z1;
          h2 ^= z2;
          lift(entry);
          entry = head.next;
          continue;
        }
        if (!never && o.outcome === 'unknown') never = true;
        else {
          never = false;
          entry = entry.next;
        }
        continue;
      }
      if (!head.next) {
        ends.add(state); // every operation placed: one way the segment can end
        if (!all) return { ends };
      }
      else if (stack.length > deepest.depth) deepest = { depth: stack.length, culprit: ops[entry!.op] };
      // Undo the last choice and try the next one.
      const top = stack.pop();
      if (!top) break;
      const [z1, z2] = zobrist[top.entry.op]!;
      h1 ^= z1;
      h2 ^= z2;
      state = top.state;
      unlift(top.entry);
      if (!top.never && ops[top.entry.op]!.outcome === 'unknown') {
        entry = top.entry;
        never = true;
      } else entry = top.entry.next;
    }
  }
  return { ends, culprit: deepest.culprit };
}
