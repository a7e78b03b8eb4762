// The chaos checker must be able to fail: hand-made histories with each anomaly, and valid ones
// that look suspicious but are fine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkKey, checkRun, type Op, type RunRecord } from '../chaos/checker.ts';

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

test('a search that runs out of steps says so instead of passing', () => {
  const ops = [put(1, 'a', 0, 100), put(2, 'b', 0, 100), put(3, 'c', 0, 100), get(4, 'zzz', 200, 201)];
  assert.equal(checkKey(ops, 2).ok, null);
  const v = checkKey(ops);
  assert.equal(v.ok, false, 'with enough steps: an anomaly');
});
