// The register search (linearizability.ts) prunes hard: unanswered writes are dropped only when the
// scan passes them, interchangeable operations are tried only in return order, and configurations
// already explored are not explored again. Each of those could wrongly pass or fail a history, so
// here its verdict is compared with the definition itself, on thousands of small random histories:
// some subset of the unanswered writes happened, and some order of those and every answered
// operation respects real time and explains every answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Op } from '../chaos/checker.ts';
import { checkKey } from '../chaos/linearizability.ts';
import { seeded } from '../chaos/workload.ts';

type State = string | null;

/** Whether `o` can take effect in `state`, and the state after it (an unanswered write is only a write). */
function apply(state: State, o: Op): State | undefined {
  if (o.kind === 'get') return state === (o.result ?? null) ? state : undefined;
  if (o.kind === 'put') return o.value!;
  if (o.outcome === 'ok' && o.found !== undefined && o.found !== (state !== null)) return undefined;
  return null;
}

/**
 * The definition, by brute force: fine for up to about 8 operations. An unanswered write takes
 * effect, if ever, after it was sent and before `bound` (as the fencing bound gives one).
 */
function linearizableByDefinition(all: Op[], bound: (o: Op) => number): boolean {
  const must = all.filter((o) => o.outcome === 'ok');
  const maybe = all.filter((o) => o.outcome === 'unknown' && o.kind !== 'get');
  const returnOf = (o: Op) => (o.outcome === 'ok' ? o.end : bound(o));
  for (let mask = 0; mask < 1 << maybe.length; mask++) {
    const ops = [...must, ...maybe.filter((_, i) => mask & (1 << i))];
    const placed = new Array<boolean>(ops.length).fill(false);
    const search = (state: State, left: number): boolean => {
      if (left === 0) return true;
      for (let i = 0; i < ops.length; i++) {
        if (placed[i]) continue;
        // Real time: nothing unplaced may have returned before this one was sent.
        if (ops.some((p, j) => !placed[j] && j !== i && returnOf(p) < ops[i]!.start)) continue;
        const next = apply(state, ops[i]!);
        if (next === undefined) continue;
        placed[i] = true;
        const ok = search(next, left - 1);
        placed[i] = false;
        if (ok) return true;
      }
      return false;
    };
    if (search(null, ops.length)) return true;
  }
  return false;
}

/**
 * A small random history on one key, on a coarse clock (ties happen): each operation takes effect at
 * a random instant of its interval (an unanswered write: before `bound`, or never), so it is
 * linearizable by construction; then half of them get one answer changed, which mostly is not.
 */
function randomHistory(random: () => number, n: number, bound: (o: Op) => number): Op[] {
  const ops: Op[] = [];
  const effects: { at: number; o: Op }[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor(random() * 12);
    const end = start + Math.floor(random() * 5);
    const r = random();
    const base = { client: i, key: 'k', start, end };
    const outcome = r >= 0.45 && random() < 0.3 ? 'unknown' : 'ok';
    const o: Op = r < 0.45 ? { ...base, kind: 'get', outcome } : r < 0.8 ? { ...base, kind: 'put', outcome, value: `v${i}` } : { ...base, kind: 'del', outcome };
    ops.push(o);
    const until = Math.min(outcome === 'ok' ? end : bound(o), start + 10);
    if (outcome === 'ok' || random() < 0.5) effects.push({ at: start + random() * (until - start), o });
  }
  let state: string | null = null;
  for (const { o } of effects.sort((x, y) => x.at - y.at)) {
    if (o.kind === 'get') o.result = state;
    else if (o.kind === 'del' && o.outcome === 'ok' && random() < 0.7) o.found = state !== null;
    state = o.kind === 'put' ? o.value! : o.kind === 'del' ? null : state;
  }
  if (random() < 0.5) {
    const o = ops[Math.floor(random() * n)]!;
    if (o.kind === 'get') o.result = random() < 0.3 ? null : `v${Math.floor(random() * n)}`;
    else if (o.found !== undefined) o.found = !o.found;
  }
  return ops;
}

test('the pruned search agrees with the definition on 40,000 random small histories (3 to 9 operations)', () => {
  const random = seeded(2026);
  let linearizable = 0;
  for (let i = 0; i < 40_000; i++) {
    // Half with no bound on unanswered writes, half with one: their end (so the search drops them).
    const bound = i % 2 === 0 ? () => Infinity : (o: Op) => o.end;
    const ops = randomHistory(random, 3 + (i % 7), bound);
    const expected = linearizableByDefinition(ops, bound);
    const got = checkKey(ops, undefined, bound);
    assert.equal(got.unchecked, 0);
    assert.equal(got.ok, expected, `history ${i}: ${JSON.stringify(ops)}`);
    if (expected) linearizable++;
  }
  // Both verdicts must be common, or the comparison proves little.
  console.log(`# ${linearizable} of 40,000 linearizable`);
  assert.ok(linearizable > 15_000 && linearizable < 35_000, `${linearizable} of 40,000 linearizable`);
});
