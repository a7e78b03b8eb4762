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
import { seeded } from './workload.ts';

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

/** A value written that no read returned: all such values look alike to every later operation. */
const UNREAD = '\u0001unread';

/** What an operation tests and does to the register, and whether it may not have happened. */
interface Effect {
  /** Operations of one class are interchangeable. */
  class: string;
  /** put: the value written (UNREAD for one nobody read); del: null. */
  writes?: State;
  /** get: the value it returned. */
  reads?: State;
  /** del that answered: whether it found the key. */
  found?: boolean;
  /** It tests the state (a get, or a delete that said whether it found the key). */
  isRead: boolean;
  mayNotHappen: boolean;
}

interface Timed {
  o: Op;
  ret: number;
  effect: Effect;
}

interface Entry {
  op: number; // index into the segment's operations
  call: boolean;
  time: number;
  pos: number; // place in the time order of all entries
  match: Entry | null; // the call's return entry, the return's call entry
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
  const timed: Timed[] = ops.map((o) => ({
    o,
    ret: o.outcome !== 'unknown' ? o.end : Math.min(bound(o), o.kind === 'put' ? (firstReadEnd.get(o.value!) ?? Infinity) : Infinity),
    effect: effectOf(o, read),
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
      states = statesAfterUndecided(segment.map((s) => s.effect), states);
    } else if (r.ends.size === 0) return { ok: false, culprit: r.culprit, checked: ops.length, unchecked };
    else states = r.ends;
    from = to;
  }
  return { ok: true, checked: ops.length, unchecked };
}

function effectOf(o: Op, read: Set<string | null | undefined>): Effect {
  // An unanswered put whose value someone read did happen (values are unique).
  const mayNotHappen = o.outcome === 'unknown' && !(o.kind === 'put' && read.has(o.value));
  if (o.kind === 'get') return { class: `get ${JSON.stringify(o.result ?? null)}`, reads: o.result ?? null, isRead: true, mayNotHappen };
  if (o.kind === 'put') {
    const writes = read.has(o.value) ? o.value! : UNREAD;
    return { class: `put ${mayNotHappen} ${writes}`, writes, isRead: false, mayNotHappen };
  }
  const found = o.outcome === 'ok' ? o.found : undefined;
  return { class: `del ${mayNotHappen} ${found}`, writes: null, found, isRead: found !== undefined, mayNotHappen };
}

/** Whether an operation can take effect in `state`, and the state after it. */
function step(state: State, k: Effect): [boolean, State] {
  if (k.reads !== undefined) return [state === k.reads, state];
  if (k.found !== undefined && k.found !== (state !== null)) return [false, state];
  return [true, k.writes!];
}

/** Every state a segment that was not searched may have left: a superset, so nothing is claimed from it. */
function statesAfterUndecided(segment: Effect[], starts: Set<State>): Set<State> {
  const ends = new Set<State>(starts);
  for (const k of segment) if (k.writes !== undefined) ends.add(k.writes);
  return ends;
}

/**
 * The states `segment` can end in from one of `starts` (none: no order explains it): all of them, or
 * the first one found when `all` is false; null when out of steps.
 *
 * Three reductions keep the search small where faults leave many writes without an answer (each
 * keeps at least one order of every kind that explains the history; linearizability-reference.test.ts
 * compares the verdicts with the definition):
 * - A write without a definite answer is never tried as "did not happen" at each point: once the
 *   scan passes its return unplaced, it did not happen (it is lifted with the next placement).
 * - Operations that test and change the state alike (reads of one value, writes of values nobody
 *   read, deletes with the same answer, each with or without a definite answer) are
 *   interchangeable: one is not tried where the scan met another of its class that returns
 *   earlier. Any order that places it there stays valid with the two swapped.
 * - A write without a definite answer is tried only right before an operation that reads (a get,
 *   or a delete that said whether it found the key), or last: followed by another write, it could
 *   as well not have happened.
 */
function searchSegment(segment: Timed[], starts: Set<State>, budget: { steps: number }, all: boolean): { ends: Set<State>; culprit?: Op } | null {
  const ops = segment.map((s) => s.o);
  const effects = segment.map((s) => s.effect);
  const events: Entry[] = [];
  segment.forEach(({ o, ret }, i) => {
    const call: Entry = { op: i, call: true, time: o.start, pos: 0, match: null, prev: null, next: null };
    const back: Entry = { op: i, call: false, time: ret, pos: 0, match: null, prev: null, next: null };
    call.match = back;
    back.match = call;
    events.push(call, back);
  });
  // Calls before returns at the same instant: such operations count as concurrent.
  events.sort((a, b) => a.time - b.time || Number(b.call) - Number(a.call));
  events.forEach((e, i) => (e.pos = i));
  const head: Entry = { op: -1, call: false, time: -Infinity, pos: -1, match: null, prev: null, next: null };
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

  // Zobrist hashing of the set of decided operations (placed, or passed as never happening), for the
  // memo of (set, state, whether only a read may come next) already explored: what can follow
  // depends on nothing else, whichever state the segment started from.
  const random = seeded(ops.length); // the same history is searched the same way every time
  const zobrist = ops.map(() => [(random() * 2 ** 32) >>> 0, (random() * 2 ** 32) >>> 0] as const);
  const seen = new Set<string>();
  const ends = new Set<State>();
  let deepest = { depth: -1, culprit: undefined as Op | undefined };

  interface Frame {
    placed: Entry;
    dropped: Entry[]; // writes without an answer whose return the scan had passed: lifted as never
    state: State;
    h1: number;
    h2: number;
    firstReturn: Map<string, number>; // the scan's context when `placed` was tried
    needRead: boolean;
  }
  for (const start of starts) {
    let state: State = start;
    let h1 = 0;
    let h2 = 0;
    const stack: Frame[] = [];
    // The scan: the next entry, the unanswered writes whose return it passed, and per class of
    // operation the earliest return position among those it met.
    let entry = head.next;
    let dropped: Entry[] = [];
    let firstReturn = new Map<string, number>();
    // An unanswered write just placed: only an operation that reads may come next.
    let needRead = false;
    for (;;) {
      if (--budget.steps < 0) return null;
      let backtrack = false;
      if (entry === null) {
        // Scanned to the end: every operation left may never have happened.
        ends.add(state);
        if (!all) return { ends };
        backtrack = true;
      } else if (entry.call) {
        const k = effects[entry.op]!;
        const earlier = firstReturn.get(k.class);
        if ((earlier !== undefined && earlier < entry.match!.pos) || (needRead && !k.isRead)) {
          entry = entry.next;
          continue;
        }
        firstReturn.set(k.class, entry.match!.pos);
        const [ok, next] = step(state, k);
        let [n1, n2] = [h1, h2];
        for (const e of [...dropped, entry]) {
          n1 ^= zobrist[e.op]![0];
          n2 ^= zobrist[e.op]![1];
        }
        const memo = `${n1 >>> 0}:${n2 >>> 0}:${k.mayNotHappen ? 'r' : ''}:${next === null ? '\u0000' : next}`;
        if (ok && !seen.has(memo)) {
          seen.add(memo);
          stack.push({ placed: entry, dropped, state, h1, h2, firstReturn, needRead });
          for (const e of dropped) lift(e);
          lift(entry);
          [state, h1, h2] = [next, n1, n2];
          entry = head.next;
          dropped = [];
          firstReturn = new Map();
          needRead = k.mayNotHappen;
          continue;
        }
        entry = entry.next;
        continue;
      } else if (effects[entry.op]!.mayNotHappen) {
        // Passed unplaced: it did not happen. Its class keeps its return in firstReturn: it was met
        // in this scan, with nothing placed since, so it was tried where a later one of its class
        // would be, and it-then-the-rest covers the later one placed there with it dropped.
        dropped.push(entry.match!);
        entry = entry.next;
        continue;
      } else {
        // An operation that did happen returns here unplaced: this order cannot go on.
        if (stack.length > deepest.depth) deepest = { depth: stack.length, culprit: ops[entry.op] };
        backtrack = true;
      }
      if (backtrack) {
        const top = stack.pop();
        if (!top) break;
        unlift(top.placed);
        for (let i = top.dropped.length - 1; i >= 0; i--) unlift(top.dropped[i]!);
        ({ state, h1, h2, dropped, firstReturn, needRead } = top);
        entry = top.placed.next;
      }
    }
  }
  return { ends, culprit: deepest.culprit };
}
