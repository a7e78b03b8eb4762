// The chaos checker must be able to fail: hand-made histories with each anomaly, and valid ones
// that look suspicious but are fine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRun, fencingBound, type Op, type RunRecord } from '../chaos/checker.ts';
import { checkCounters, type CounterOp } from '../chaos/counter-check.ts';
import { checkKey } from '../chaos/linearizability.ts';

const put = (client: number, value: string, start: number, end: number, outcome: Op['outcome'] = 'ok'): Op => ({ client, key: 'k', kind: 'put', value, start, end, outcome });
const del = (client: number, start: number, end: number, outcome: Op['outcome'] = 'ok'): Op => ({ client, key: 'k', kind: 'del', start, end, outcome });
const get = (client: number, result: string | null, start: number, end: number, final = false): Op => ({ client, key: 'k', kind: 'get', result, start, end, outcome: 'ok', final });
const run = (ops: Op[], extra: Partial<RunRecord> = {}): RunRecord => ({ ops, sightings: [], malformed: [], ...extra });

test('a sequential history that reads what was written is linearizable', () => {
  assert.equal(checkKey([put(1, 'a', 0, 1), get(2, 'a', 2, 3), del(1, 4, 5), get(2, null, 6, 7), put(2, 'b', 8, 9), get(1, 'b', 10, 11)]).ok, true);
});

test('concurrent operations may take effect in either order', () => {
  // The read overlaps both writes: it may see either value, or none yet.
  for (const seen of ['a', 'b', null]) {
    assert.equal(checkKey([put(1, 'a', 0, 10), put(2, 'b', 1, 9), get(3, seen, 2, 8)]).ok, true, String(seen));
  }
});

test('a lost acknowledged write is caught (a final read of an older value)', () => {
  const v = checkKey([put(1, 'a', 0, 1), put(2, 'b', 2, 3), get(3, 'a', 10, 11, true)]);
  assert.equal(v.ok, false);
  assert.equal(v.culprit?.kind, 'get');
  const r = checkRun(run([put(1, 'a', 0, 1), put(2, 'b', 2, 3), get(3, 'a', 10, 11, true)]));
  assert.deepEqual(r.anomalies.map((a) => a.kind), ['lost-write']);
});

test('a stale read is caught: older than a write acknowledged before the read began', () => {
  assert.equal(checkKey([put(1, 'a', 0, 1), put(1, 'b', 2, 3), get(2, 'a', 4, 5)]).ok, false);
});

test('a read of a value never written, or of a deleted key coming back, is caught', () => {
  assert.equal(checkKey([put(1, 'a', 0, 1), get(2, 'zzz', 2, 3)]).ok, false);
  assert.equal(checkKey([put(1, 'a', 0, 1), del(1, 2, 3), get(2, 'a', 4, 5)]).ok, false);
});

test('a write without an answer may have happened at any time after it was sent, or never', () => {
  assert.equal(checkKey([put(1, 'a', 0, 1), put(2, 'x', 2, 3, 'unknown'), get(3, 'x', 100, 101)]).ok, true, 'took effect');
  assert.equal(checkKey([put(1, 'a', 0, 1), put(2, 'x', 2, 3, 'unknown'), get(3, 'a', 100, 101)]).ok, true, 'never took effect');
  assert.equal(checkKey([put(1, 'a', 0, 1), del(2, 2, 3, 'unknown'), get(3, null, 100, 101)]).ok, true, 'an unanswered delete');
  // ... but never before it was sent.
  assert.equal(checkKey([get(3, 'x', 0, 1), put(2, 'x', 2, 3, 'unknown')]).ok, false);
});

// A write the LB gave up on (5xx, or no answer) can only take effect before the LB answers anything
// else: the fencing invariant. `other` is an operation on another key that the LB answered.
const other = (start: number, end: number): Op => ({ client: 9, key: 'other', kind: 'get', result: null, start, end, outcome: 'ok' });
const gaveUp = (o: Op, status?: number): Op => ({ ...o, outcome: 'unknown', ...(status ? { status } : {}) });
const FENCING = { giveUpMs: 15_000 };

test('a write given up with a 5xx cannot land after the LB answered anything else', () => {
  // The delete got a 503; an answer on another key came after; then the key was still there, and
  // later gone: the delete landed after that answer. Without the bound that looks fine.
  const late = [put(1, 'a', 0, 1), gaveUp(del(2, 2, 3), 503), other(5, 6), get(3, 'a', 50, 60), get(3, null, 100, 110)];
  assert.equal(checkKey(late.filter((o) => o.key === 'k')).ok, true, 'without the fencing bound: a delete may land at any time');
  assert.deepEqual(checkRun(run(late), FENCING).anomalies.map((a) => a.kind), ['late-write']);
  // A read older than an acknowledged write stays a stale read under the bound too.
  const stale = [put(1, 'a', 0, 1), gaveUp(del(2, 2, 3), 503), put(1, 'b', 4, 5), get(3, 'a', 50, 60)];
  assert.deepEqual(checkRun(run(stale), FENCING).anomalies.map((a) => a.kind), ['stale-read']);
  // The same without the other answer: nothing was answered in between, so the delete may land late.
  const fine = [put(1, 'a', 0, 1), gaveUp(del(2, 2, 3), 503), get(3, 'a', 50, 60), get(3, null, 100, 110)];
  assert.deepEqual(checkRun(run(fine), FENCING).anomalies, []);
});

test('a write given up may also never take effect, even once its bound has passed', () => {
  const never = [put(1, 'a', 0, 1), gaveUp(del(2, 2, 3), 503), other(5, 6), get(3, 'a', 50, 60), get(3, 'a', 100, 110)];
  assert.deepEqual(checkRun(run(never), FENCING).anomalies, []);
  const landed = [put(1, 'a', 0, 1), gaveUp(put(2, 'x', 2, 3), 503), other(5, 6), get(3, 'x', 50, 60), get(3, 'x', 100, 110, true)];
  assert.deepEqual(checkRun(run(landed), FENCING).anomalies, []);
});

test('a write with no answer at all is bounded by the LB\'s own deadline', () => {
  // Sent at 0, connection lost at 5: the LB may still have been working on it for 15 s.
  const within = [put(1, 'a', 0, 1), gaveUp(put(2, 'x', 2, 5)), other(100, 110), get(3, 'a', 1_000, 1_010), get(3, 'x', 10_000, 10_010)];
  assert.deepEqual(checkRun(run(within), FENCING).anomalies, []);
  // An answer sent after the LB's deadline ends at 16,010: a value first seen after that, with the
  // key read unchanged in between, landed too late.
  const after = [put(1, 'a', 0, 1), gaveUp(put(2, 'x', 2, 5)), other(16_000, 16_010), get(3, 'a', 17_000, 17_010), get(3, 'x', 20_000, 20_010)];
  assert.deepEqual(checkRun(run(after), FENCING).anomalies.map((a) => a.kind), ['late-write']);
});

test('the fencing bound is the earliest end of an answer sent after the LB gave up', () => {
  const ops = [other(0, 50), other(10, 20), other(30, 45), other(40, 41), other(60, 70)];
  const bound = fencingBound(ops, 1_000);
  assert.equal(bound(gaveUp(del(1, 0, 5), 503)), 20, 'after 5: the answers [10,20], [30,45], [40,41], [60,70]');
  assert.equal(bound(gaveUp(del(1, 0, 35), 503)), 41);
  assert.equal(bound(gaveUp(del(1, 0, 65), 503)), Infinity, 'nothing answered afterwards');
  assert.equal(bound(gaveUp(del(1, 0, 5))), Infinity, 'no answer: the LB may work on it until 1,000');
});

/**
 * A history like a chaos run's: `clients` loops over `keys` keys with 5-15 ms between operations,
 * and every 2 s a one-second fault during which operations take up to 1.5 s, 20% of writes get a
 * 503 and 2% no answer at all (half of those land). A register per key that each operation reaches
 * at a random instant of its interval produces it, so it is linearizable by construction.
 */
function chaosLikeHistory(total: number, clients = 6, keys = 8): Op[] {
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const ops: Op[] = [];
  const effects: { at: number; op: Op }[] = [];
  const free = Array.from({ length: clients }, () => 0);
  for (let i = 0; i < total; i++) {
    const c = i % clients;
    const start = free[c]! + 5 + random() * 10;
    const faulty = start % 2000 > 1000;
    const end = start + (faulty ? random() * 1500 : 1 + random() * 4);
    free[c] = end;
    const r = random();
    const kind = r < 0.5 ? 'get' : r < 0.85 ? 'put' : 'del';
    const o: Op = { client: c, key: `k${Math.floor(random() * keys)}`, kind, start, end, outcome: 'ok', ...(kind === 'put' ? { value: `v${i}` } : {}) };
    const fate = kind === 'get' || !faulty ? 1 : random();
    if (fate < 0.2) Object.assign(o, { outcome: 'unknown', status: 503 });
    else if (fate < 0.22) o.outcome = 'unknown';
    ops.push(o);
    if (o.outcome === 'ok' || random() < 0.5) effects.push({ at: start + random() * (end - start), op: o });
  }
  const state = new Map<string, string | null>();
  for (const { op } of effects.sort((a, b) => a.at - b.at)) {
    if (op.kind === 'put') state.set(op.key, op.value!);
    else if (op.kind === 'del') state.set(op.key, null);
    else op.result = state.get(op.key) ?? null;
  }
  return ops;
}

test('a long chaos-like history with many writes given up is decided, none of it left unchecked', () => {
  const ops = chaosLikeHistory(60_000);
  const r = checkRun(run(ops), FENCING);
  assert.deepEqual(r.anomalies, []);
  assert.ok(r.opsChecked > 50_000, `${r.opsChecked} operations checked`);
  assert.equal(r.opsUnchecked, 0);
  // The same history with one late read changed to a value overwritten before it began is caught.
  const read = ops.find((o) => o.kind === 'get' && o.result != null && o.start > ops[30_000]!.start)!;
  const overwrite = ops.find((o) => o.key === read.key && o.kind === 'put' && o.outcome === 'ok' && o.start > read.end)!;
  const later = ops.find((o) => o.key === read.key && o.kind === 'get' && o.start > overwrite.end)!;
  const stale = ops.map((o) => (o === later ? { ...o, result: read.result } : o));
  const v = checkRun(run(stale), FENCING);
  assert.deepEqual(v.anomalies.map((a) => a.kind), ['stale-read']);
  assert.match(v.anomalies[0]!.detail, new RegExp(`key "${read.key}"`));
});

test('a write refused for sure (4xx) never took effect', () => {
  assert.equal(checkKey([put(1, 'a', 0, 1), put(2, 'x', 2, 3, 'fail'), get(3, 'x', 4, 5)]).ok, false);
});

test('a retry that applies a write twice around another client\'s write is caught', () => {
  // Client 1's put "a" lands (read by client 3), client 2's put "c" is acknowledged and read,
  // then client 1's retry of "a" lands again: no single point for "a" explains the reads.
  const ops = [put(1, 'a', 0, 50), get(3, 'a', 5, 6), put(2, 'c', 10, 11), get(3, 'c', 12, 13), get(4, 'a', 60, 61, true)];
  assert.equal(checkKey(ops).ok, false);
});

test('thousands of concurrent operations are checked in reasonable time', () => {
  const ops: Op[] = [];
  let t = 0;
  for (let i = 0; i < 3000; i++) {
    const c = i % 6;
    if (c === 0) ops.push(put(c, `v${i}`, t, t + 4));
    else if (c === 1) ops.push(del(c, t, t + 4, i % 5 === 0 ? 'unknown' : 'ok'));
    else ops.push(get(c, null, t, t + 4));
    t += 1;
  }
  // Make the reads consistent: each read sees what a sequential run at its start would see.
  let state: string | null = null;
  for (const o of ops) {
    if (o.kind === 'put') state = o.value!;
    else if (o.kind === 'del') state = null;
    else o.result = state;
  }
  const started = Date.now();
  assert.equal(checkKey(ops).ok, true);
  assert.ok(Date.now() - started < 20_000);
});

test('two clusters leading one epoch is split brain; one per epoch is fine', () => {
  const ok = checkRun(run([], { sightings: [{ at: 1, cluster: 'a', epoch: 1, leading: true }, { at: 2, cluster: 'b', epoch: 2, leading: true }, { at: 3, cluster: 'a', epoch: 2, leading: false }] }));
  assert.deepEqual(ok.anomalies, []);
  const bad = checkRun(run([], { sightings: [{ at: 1, cluster: 'a', epoch: 3, leading: true }, { at: 2, cluster: 'b', epoch: 3, leading: true }] }));
  assert.deepEqual(bad.anomalies.map((a) => a.kind), ['split-brain']);
});

test('a cluster whose data differs from the leader\'s at the end has diverged', () => {
  const leader = { cluster: 'a', data: { x: '1', y: null } };
  assert.deepEqual(checkRun(run([], { finalData: { leader, others: [{ cluster: 'b', data: { x: '1' } }] } })).anomalies, []);
  const r = checkRun(run([], { finalData: { leader, others: [{ cluster: 'b', data: { x: '2' } }, { cluster: 'c', data: { x: '1', y: 'zombie' } }] } }));
  assert.deepEqual(r.anomalies.map((a) => a.kind), ['divergence', 'divergence']);
});

test('malformed input must get a 4xx: a 5xx or a success is an anomaly', () => {
  const r = checkRun(run([], { malformed: [{ request: 'a', status: 400 }, { request: 'b', status: 503 }, { request: 'c', status: 200 }] }));
  assert.deepEqual(r.anomalies.map((a) => a.detail), ['b was answered 503', 'c was answered 200']);
});

test('a segment the search cannot decide is counted as unchecked, and the segments after it are still checked', () => {
  // Six concurrent puts, then (after a cut) a read of a value never written: with 50 steps the
  // first segment is undecided, yet the impossible read after it is still caught.
  const tangled = ['a', 'b', 'c', 'd', 'e', 'f'].map((v, i) => put(i + 1, v, 0, 100));
  const bad = checkKey([...tangled, get(7, 'zzz', 200, 201)], 50);
  assert.equal(bad.ok, false, 'the read after the undecided segment is still checked');
  assert.equal(bad.culprit?.result, 'zzz');
  // Any value the undecided segment may have left is a valid start for the next one.
  const fine = checkKey([...tangled, get(7, 'b', 200, 201), get(7, 'b', 202, 203)], 50);
  assert.deepEqual([fine.ok, fine.unchecked], [true, 6]);
  assert.deepEqual(checkRun(run([...tangled, get(7, 'b', 200, 201)]), { giveUpMs: Infinity, maxSteps: 50 }).opsUnchecked, 6);
  assert.equal(checkKey([...tangled, get(7, 'zzz', 200, 201)]).unchecked, 0, 'with the default budget, all is searched');
});

test('a value read before its unanswered write was sent is caught, also after a segment left undecided', () => {
  // The read of "v" ends before the put of "v" is sent. With 3 steps the first segment (three
  // concurrent operations) is left undecided; the put after it must still be the culprit.
  const ops = [get(1, 'v', 0, 1), put(2, 'a', 0, 1), put(3, 'b', 0, 1), put(4, 'v', 5, 6, 'unknown')];
  for (const steps of [3, 5_000_000]) {
    const v = checkKey(ops, steps);
    assert.equal(v.ok, false, `${steps} steps`);
  }
});

const delFound = (client: number, found: boolean, start: number, end: number): Op => ({ ...del(client, start, end), found });

test('a delete that found nothing right after an acknowledged write proves the write lost', () => {
  const lost = [put(1, 'a', 0, 1), delFound(2, false, 2, 3)];
  assert.equal(checkKey(lost.map((o) => ({ ...o, found: undefined }))).ok, true, 'without reading the delete\'s answer it passes');
  assert.equal(checkKey(lost).ok, false);
  // A delete that found a key where none can be is caught too; answers that fit the history pass.
  assert.equal(checkKey([delFound(1, true, 0, 1)]).ok, false);
  assert.equal(checkKey([put(1, 'a', 0, 1), delFound(2, true, 2, 3), delFound(3, false, 4, 5)]).ok, true);
  // An unanswered put explains a delete that found the key.
  assert.equal(checkKey([put(1, 'a', 0, 1, 'unknown'), delFound(2, true, 2, 3)]).ok, true);
});

test('a read reporting a TTL the write did not ask for is caught', () => {
  const withTtl = { ...put(1, 'a', 0, 1), ttl: 3600 };
  const read = (ttl: number | null): Op => ({ ...get(2, 'a', 2, 3), ttl });
  assert.deepEqual(checkRun(run([withTtl, read(3599)])).anomalies, []);
  assert.deepEqual(checkRun(run([withTtl, read(null)])).anomalies.map((a) => a.kind), ['ttl'], 'TTL lost');
  assert.deepEqual(checkRun(run([withTtl, read(7200)])).anomalies.map((a) => a.kind), ['ttl'], 'TTL longer than asked');
  assert.deepEqual(checkRun(run([put(1, 'a', 0, 1), read(50)])).anomalies.map((a) => a.kind), ['ttl'], 'TTL invented');
});

test('listings: a key present throughout must appear once, a key absent throughout never', () => {
  const keyed = (key: string, o: Op): Op => ({ ...o, key });
  const ops = [keyed('p', put(1, 'a', 0, 1)), keyed('gone', put(1, 'b', 0, 1)), keyed('gone', del(1, 2, 3)), keyed('busy', put(1, 'c', 5, 50))];
  const keys = ['p', 'gone', 'busy', 'never'];
  const listing = (listed: string[]) => ({ client: 3, start: 10, end: 20, keys: listed });
  const check = (listed: string[]) => checkRun(run(ops, { listings: [listing(listed)], listedKeys: keys })).anomalies.map((a) => a.kind);
  assert.deepEqual(check(['p']), [], 'a key written during the listing may or may not appear');
  assert.deepEqual(check(['busy', 'p']), []);
  assert.deepEqual(check([]), ['listing'], 'a key present throughout is missing');
  assert.deepEqual(check(['p', 'p']), ['listing'], 'listed twice');
  assert.deepEqual(check(['gone', 'p']), ['listing'], 'a deleted key listed');
  assert.deepEqual(check(['never', 'p']), ['listing'], 'a key never written listed');
  // Writes after the listing change nothing about it: a later delete does not excuse a missing key.
  const later = [keyed('p', put(1, 'a', 0, 1)), keyed('p', del(2, 30, 31))];
  assert.deepEqual(checkRun(run(later, { listings: [listing([])], listedKeys: ['p'] })).anomalies.map((a) => a.kind), ['listing']);
  // An unanswered delete may have taken effect: the key need not appear.
  const maybe = [keyed('p', put(1, 'a', 0, 1)), keyed('p', { ...del(2, 2, 3), outcome: 'unknown' })];
  assert.deepEqual(checkRun(run(maybe, { listings: [listing([])], listedKeys: ['p'] })).anomalies, []);
});

test('thousands of listings over long key histories are checked quickly (each question is a binary search)', () => {
  const ops: Op[] = [];
  for (let i = 0; i < 20_000; i++) ops.push({ ...(i % 4 === 0 ? del(1, i, i + 0.5) : put(1, `v${i}`, i, i + 0.5)), key: `k${i % 16}` });
  const listings = Array.from({ length: 2000 }, (_, i) => ({ client: 2, start: i * 10 + 0.7, end: i * 10 + 0.9, keys: [] as string[] }));
  const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
  const started = Date.now();
  const r = checkRun(run(ops, { listings, listedKeys: keys }));
  // Every listing is empty while keys written before it exist: each present key is reported.
  assert.ok(r.anomalies.filter((a) => a.kind === 'listing').length > 1000);
  console.log(`# 2,000 listings x 16 keys over 20,000 writes checked in ${Date.now() - started} ms`);
});

test('a cluster whose listing index differs from its keys is caught', () => {
  const fine = { cluster: 'a', present: ['x', 'y'], indexed: ['y', 'x'] };
  assert.deepEqual(checkRun(run([], { indexes: [fine] })).anomalies, []);
  const r = checkRun(run([], { indexes: [fine, { cluster: 'b', present: ['x'], indexed: ['x', 'y'] }, { cluster: 'c', present: ['x'], indexed: [] }] }));
  assert.deepEqual(r.anomalies.map((a) => a.kind), ['index', 'index']);
});

const step = (client: number, result: number | undefined, start: number, end: number, outcome: CounterOp['outcome'] = 'ok', kind: CounterOp['kind'] = 'incr'): CounterOp => ({
  client, key: 'c', kind, start, end, outcome, ...(result === undefined ? {} : { result }),
});

test('a counter whose steps each left a new value, in time order, and whose final value counts them, passes', () => {
  const ops = [step(1, 1, 0, 1), step(2, 2, 2, 3, 'ok', 'cas'), step(3, 4, 4, 10), step(1, 3, 5, 9), step(2, undefined, 11, 12, 'fail', 'cas'), step(2, undefined, 13, 14, 'unknown')];
  assert.deepEqual(checkCounters(ops, { c: 4 }), []);
  assert.deepEqual(checkCounters(ops, { c: 5 }), [], 'the unanswered step may have been applied');
  assert.deepEqual(checkRun(run([], { counterOps: ops, counterFinals: { c: 5 } })).anomalies, []);
});

test('counter anomalies are caught: a step applied twice, a lost one, a stale compare-and-set, out of time order', () => {
  // Two acknowledged steps left 2: one increment saw the other's old value (a lost update).
  assert.match(checkCounters([step(1, 1, 0, 1), step(2, 2, 2, 5, 'ok', 'cas'), step(3, 2, 3, 6)], { c: 2 }).join(), /both left 2/);
  // Three acknowledged, final 2: one was lost in a failover.
  assert.match(checkCounters([step(1, 1, 0, 1), step(2, 2, 2, 3), step(3, 3, 4, 5)], { c: 2 }).join(), /was lost/);
  // Two acknowledged, none unanswered, final 3: one was applied twice (a retry).
  assert.match(checkCounters([step(1, 1, 0, 1), step(2, 2, 2, 3)], { c: 3 }).join(), /applied twice/);
  // A step that began after 5 was acknowledged left 3: a stale read of the counter.
  assert.match(checkCounters([step(1, 5, 0, 1), step(2, 3, 2, 3)], { c: 5 }).join(), /acknowledged before it began/);
  assert.match(checkCounters([step(1, 1, 0, 1)], { c: null }).join(), /found no value/);
  const r = checkRun(run([], { counterOps: [step(1, 1, 0, 1), step(2, 1, 2, 3)], counterFinals: { c: 1 } }));
  assert.ok(r.anomalies.length > 0 && r.anomalies.every((a) => a.kind === 'counter'));
});
