// The register search (linearizability.ts) prunes hard: unanswered writes are dropped when the scan
// passes them and tried only right before a read, alike operations are tried in one order, and
// configurations already explored are not explored again. Each of those could wrongly pass or fail
// a history, so here its verdict is compared with the definition itself, on tens of thousands of
// small random histories: some subset of the unanswered writes happened, each before its bound, and
// some order of those and every answered operation respects real time and explains every answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Op } from '../chaos/checker.ts';
import { checkKey } from '../chaos/linearizability.ts';
import { seeded } from '../chaos/workload.ts';

type State = string | null;

/** The state after `o` in `state`, or undefined if `o`'s answer rules it out there. */
function apply(state: State, o: Op): State | undefined {
  if (o.kind === 'get') return state === (o.result ?? null) ? state : undefined;
  if (o.kind === 'put') return o.value!;
  if (o.outcome === 'ok' && o.found !== undefined && o.found !== (state !== null)) return undefined;
  return null;
}

/** The definition, by brute force (memoised on the set placed and the state): up to about 12 operations. */
function linearizableByDefinition(all: Op[], bound: (o: Op) => number): boolean {
  const must = all.filter((o) => o.outcome === 'ok');
  const maybe = all.filter((o) => o.outcome === 'unknown' && o.kind !== 'get');
  const returnOf = (o: Op) => (o.outcome === 'ok' ? o.end : bound(o));
  for (let mask = 0; mask < 1 << maybe.length; mask++) {
    const ops = [...must, ...maybe.filter((_, i) => mask & (1 << i))];
    const failed = new Set<string>();
    const search = (placed: number, state: State): boolean => {
      if (placed === (1 << ops.length) - 1) return true;
      const key = `${placed}:${state}`;
      if (failed.has(key)) return false;
      for (let i = 0; i < ops.length; i++) {
        if (placed & (1 << i)) continue;
        // Real time: nothing unplaced may have returned before this one was sent.
        if (ops.some((p, j) => !(placed & (1 << j)) && j !== i && returnOf(p) < ops[i]!.start)) continue;
        const next = apply(state, ops[i]!);
        if (next !== undefined && search(placed | (1 << i), next)) return true;
      }
      failed.add(key);
      return false;
    };
    if (search(0, null)) return true;
  }
  return false;
}

/**
 * A small random history on one key, on a coarse clock (ties and cuts happen): each operation
 * takes effect at a random instant of its interval (an unanswered write: before its bound, or
 * never), so it is linearizable by construction; then up to two answers are changed, which often
 * makes it not. Bounds: none, the answer's time, or a few ticks after the call, mixed per history.
 */
function randomHistory(random: () => number, n: number): { ops: Op[]; bound: (o: Op) => number } {
  const int = (k: number) => Math.floor(random() * k);
  const span = [4, 8, 12, 20][int(4)]!;
  const boundKind = int(4);
  const bounds = new Map<Op, number>();
  const ops: Op[] = [];
  const effects: { at: number; o: Op }[] = [];
  for (let i = 0; i < n; i++) {
    const start = int(span);
    const end = start + int(5);
    const r = random();
    const base = { client: i, key: 'k', start, end };
    const outcome = r >= 0.4 && random() < 0.5 ? 'unknown' : 'ok';
    const o: Op = r < 0.4 ? { ...base, kind: 'get', outcome } : r < 0.75 ? { ...base, kind: 'put', outcome, value: `v${i}` } : { ...base, kind: 'del', outcome };
    ops.push(o);
    const later = start + int(8);
    bounds.set(o, [Infinity, end, later, random() < 0.5 ? Infinity : later][boundKind]!);
    const until = Math.min(outcome === 'ok' ? end : bounds.get(o)!, start + 10);
    if (outcome === 'ok' || random() < 0.5) effects.push({ at: start + random() * (until - start), o });
  }
  let state: string | null = null;
  for (const { o } of effects.sort((x, y) => x.at - y.at)) {
    if (o.kind === 'get') o.result = state;
    else if (o.kind === 'del' && o.outcome === 'ok' && random() < 0.7) o.found = state !== null;
    state = o.kind === 'put' ? o.value! : o.kind === 'del' ? null : state;
  }
  for (let changes = int(3); changes > 0; changes--) {
    const o = ops[int(n)]!;
    if (o.kind === 'get') o.result = random() < 0.3 ? null : `v${int(n)}`;
    else if (o.kind === 'del' && o.outcome === 'ok') o.found = o.found === undefined ? random() < 0.5 : !o.found;
  }
  return { ops, bound: (o) => bounds.get(o)! };
}

test('the pruned search agrees with the definition on 30,000 random small histories (3 to 11 operations)', () => {
  const random = seeded(2026);
  let linearizable = 0;
  for (let i = 0; i < 30_000; i++) {
    const { ops, bound } = randomHistory(random, 3 + (i % 9));
    const expected = linearizableByDefinition(ops, bound);
    const got = checkKey(ops, undefined, bound);
    const show = () => `history ${i}: ${JSON.stringify(ops.map((o) => ({ ...o, bound: bound(o) })))}`;
    assert.equal(got.unchecked, 0, show());
    assert.equal(got.ok, expected, show());
    // Out of steps, a segment is skipped, and what follows is searched from every state it could
    // have left: a "not linearizable" must still be true.
    const short = checkKey(ops, 1 + (i % 20), bound);
    if (expected) assert.equal(short.ok, true, `with ${1 + (i % 20)} steps, ${show()}`);
    if (expected) linearizable++;
  }
  console.log(`# ${linearizable} of 30,000 linearizable`);
  // Both verdicts must be common, or the comparison proves little.
  assert.ok(linearizable > 6_000 && linearizable < 27_000, `${linearizable} of 30,000 linearizable`);
});
