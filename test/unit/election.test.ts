import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, rankCandidates, type CandidateView } from '../../lb-image/src/election/decide.ts';

const member = (id: string, over: Partial<CandidateView> = {}): CandidateView => ({
  id, probed: true, healthy: true, epoch: 0, claimsLeadership: false, redisRole: 'replica', offset: 0, ...over,
});
const base = { threshold: 3, leaderFailures: 0 };

test('a fresh LB waits until every cluster was probed', () => {
  const d = decide({ ...base, current: null, members: [member('a'), member('b', { probed: false })] });
  assert.equal(d.kind, 'wait');
  assert.equal(decide({ ...base, current: null, members: [] }).kind, 'wait');
});

test('a fresh system elects epoch 1, preferring the most data, ties broken by id', () => {
  const d = decide({ ...base, current: null, members: [member('b'), member('a'), member('c')] });
  assert.deepEqual(d, { kind: 'elect', leaderId: 'a', epoch: 1, reason: 'no leader yet' });
  const d2 = decide({ ...base, current: null, members: [member('a', { offset: 5 }), member('b', { offset: 9 })] });
  assert.equal(d2.kind === 'elect' && d2.leaderId, 'b');
});

test('a restarted LB adopts the leader of the highest epoch instead of electing', () => {
  const members = [
    member('a', { epoch: 4, claimsLeadership: true, redisRole: 'master', offset: 100 }),
    member('b', { epoch: 5, claimsLeadership: true, redisRole: 'master', offset: 90 }),
    member('c', { epoch: 5, offset: 95 }),
  ];
  assert.deepEqual(decide({ ...base, current: null, members }), { kind: 'adopt', leaderId: 'b', epoch: 5 });
});

test('a restarted LB elects above the highest epoch when that epoch has no working leader', () => {
  const members = [
    member('a', { epoch: 5, claimsLeadership: true, redisRole: 'fenced', offset: 0 }),
    member('b', { epoch: 5, offset: 95 }),
  ];
  const d = decide({ ...base, current: null, members });
  assert.equal(d.kind, 'elect');
  assert.equal(d.kind === 'elect' && d.epoch, 6);
  assert.equal(d.kind === 'elect' && d.leaderId, 'b');
});

test('the leader is kept below the failure threshold and replaced at it', () => {
  const members = [member('a', { epoch: 2, claimsLeadership: true, redisRole: 'master', offset: 50 }), member('b', { epoch: 2, offset: 40 })];
  const current = { leaderId: 'a', epoch: 2 };
  assert.equal(decide({ ...base, current, leaderFailures: 2, members }).kind, 'keep');
  const d = decide({ ...base, current, leaderFailures: 3, members });
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['b', 3]);
});

test('a leader that left the membership is replaced at once', () => {
  const d = decide({ ...base, current: { leaderId: 'gone', epoch: 7 }, members: [member('b', { epoch: 7 })] });
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['b', 8]);
});

test('the failed leader is never re-elected, unhealthy and down clusters are never candidates', () => {
  const members = [
    member('a', { offset: 999, redisRole: 'master' }),
    member('b', { offset: 10, healthy: false }),
    member('c', { offset: 20, redisRole: 'down' }),
  ];
  const d = decide({ ...base, current: { leaderId: 'a', epoch: 1 }, leaderFailures: 3, members });
  assert.equal(d.kind, 'none');
});

test('an administrator may force an election; the data still decides', () => {
  const members = [member('a', { epoch: 3, offset: 70, redisRole: 'master', claimsLeadership: true }), member('b', { epoch: 3, offset: 70 })];
  const d = decide({ ...base, current: { leaderId: 'a', epoch: 3 }, members, force: true });
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['a', 4]);
});

test('epochs only grow: a new epoch is above every epoch any cluster reported', () => {
  const members = [member('a', { epoch: 9 }), member('b', { epoch: 2 })];
  const d = decide({ ...base, current: { leaderId: 'x', epoch: 4 }, leaderFailures: 3, members });
  assert.equal(d.kind === 'elect' && d.epoch, 10);
});

test('rankCandidates orders by offset, then id', () => {
  const order = rankCandidates([member('c', { offset: 1 }), member('b', { offset: 2 }), member('a', { offset: 2 })]).map((m) => m.id);
  assert.deepEqual(order, ['a', 'b', 'c']);
});
