import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adoptionGap, decide, rankCandidates, type CandidateView, type ElectionInput } from '../../lb-image/src/election/decide.ts';

const member = (id: string, over: Partial<CandidateView> = {}): CandidateView => ({
  id, probed: true, healthy: true, epoch: 0, claimsLeadership: false, leaderId: null, followsLeader: false, redisRole: 'replica', offset: 0, replId: 'h1', syncing: false, ...over,
});
const input = (over: Partial<ElectionInput>): ElectionInput => ({
  members: [], current: null, leaderFailed: false, spentEpoch: 0, history: { replId: 'h1' }, ...over,
});

test('a fresh LB waits until every cluster was probed', () => {
  assert.equal(decide(input({ members: [member('a'), member('b', { probed: false })] })).kind, 'wait');
  assert.equal(decide(input({ members: [] })).kind, 'wait');
});

test('a fresh system elects epoch 1, preferring the most data, ties broken by id', () => {
  assert.deepEqual(decide(input({ members: [member('b'), member('a'), member('c')] })), { kind: 'elect', leaderId: 'a', epoch: 1, reason: 'no leader yet' });
  const d = decide(input({ members: [member('a', { offset: 5 }), member('b', { offset: 9 })] }));
  assert.equal(d.kind === 'elect' && d.leaderId, 'b');
});

test('a restarted LB adopts the leader of the highest epoch, under a new epoch well above it (which fences the previous LB)', () => {
  const members = [
    member('a', { epoch: 4, claimsLeadership: true, redisRole: 'master', offset: 100 }),
    member('b', { epoch: 5, claimsLeadership: true, redisRole: 'master', offset: 90 }),
    member('c', { epoch: 5, offset: 95, leaderId: 'b', followsLeader: true }),
  ];
  // Above any epoch the previous LB may have offered without an answer yet.
  assert.deepEqual(decide(input({ members, history: null })), { kind: 'adopt', leaderId: 'b', epoch: 5 + adoptionGap(3) });
});

test('a cluster that also claims the current epoch (a late offer of a previous LB) leads to a new epoch', () => {
  const members = [
    member('a', { epoch: 7, claimsLeadership: true, redisRole: 'master', offset: 50 }),
    member('x', { epoch: 7, claimsLeadership: true, redisRole: 'master', offset: 10, replId: 'x-own' }),
    member('c', { epoch: 7, offset: 40 }),
  ];
  const d = decide(input({ current: { leaderId: 'a', epoch: 7 }, members }));
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['a', 8], 'the healthy leader with the data keeps leading, under epoch 8');
});

test('a restarted LB elects above the highest epoch when that epoch has no working leader', () => {
  const members = [member('a', { epoch: 5, claimsLeadership: true, redisRole: 'fenced', offset: 0 }), member('b', { epoch: 5, offset: 95 })];
  const d = decide(input({ members, history: null }));
  // Well above it: the previous LB may have offered the next epochs to clusters that have not answered.
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['b', 5 + adoptionGap(2)]);
});

test('the leader is kept until it has failed, then replaced', () => {
  const members = [member('a', { epoch: 2, claimsLeadership: true, redisRole: 'master', offset: 50 }), member('b', { epoch: 2, offset: 40 })];
  const current = { leaderId: 'a', epoch: 2 };
  assert.equal(decide(input({ current, members })).kind, 'keep');
  const d = decide(input({ current, leaderFailed: true, members }));
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['b', 3]);
});

test('a leader that left the membership is replaced at once', () => {
  const d = decide(input({ current: { leaderId: 'gone', epoch: 7 }, members: [member('b', { epoch: 7 })] }));
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['b', 8]);
});

test('the failed leader is not re-elected while other clusters exist; unhealthy, down and syncing clusters are never candidates', () => {
  const members = [
    member('a', { offset: 999, redisRole: 'master' }),
    member('b', { offset: 10, healthy: false }),
    member('c', { offset: 20, redisRole: 'down' }),
    member('d', { offset: 30, syncing: true }),
  ];
  assert.equal(decide(input({ current: { leaderId: 'a', epoch: 1 }, leaderFailed: true, members })).kind, 'none');
});

test('a lone cluster whose Redis restarted is elected again, under a new epoch', () => {
  const members = [member('a', { epoch: 4, claimsLeadership: true, redisRole: 'fenced', offset: 0, replId: 'h9' })];
  const d = decide(input({ current: { leaderId: 'a', epoch: 4 }, leaderFailed: true, members }));
  assert.equal(d.kind, 'elect');
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['a', 5]);
  assert.match(d.kind === 'elect' ? d.reason : '', /only cluster/);
  // ... but not while it does not answer (frozen): then there is nothing to do but wait.
  assert.equal(decide(input({ current: { leaderId: 'a', epoch: 4 }, leaderFailed: true, members: [{ ...members[0]!, healthy: false }] })).kind, 'none');
});

test('an administrator may force an election; the data still decides', () => {
  const members = [member('a', { epoch: 3, offset: 70, redisRole: 'master', claimsLeadership: true }), member('b', { epoch: 3, offset: 70 })];
  const d = decide(input({ current: { leaderId: 'a', epoch: 3 }, members, force: true }));
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['a', 4]);
});

test('epochs only grow: above every epoch a cluster reported and every epoch ever offered', () => {
  const members = [member('a', { epoch: 9 }), member('b', { epoch: 2 })];
  const d = decide(input({ current: { leaderId: 'x', epoch: 4 }, leaderFailed: true, members }));
  assert.equal(d.kind === 'elect' && d.epoch, 10);
  // An offer of epoch 12 timed out (it may still take effect there): the next candidate gets 13.
  const next = decide(input({ current: { leaderId: 'x', epoch: 4 }, leaderFailed: true, members, spentEpoch: 12 }));
  assert.equal(next.kind === 'elect' && next.epoch, 13);
});

test('only clusters that hold part of the leader\'s history are candidates', () => {
  const history = { replId: 'h2', previous: { replId: 'h1', upTo: 500 } };
  const members = [
    member('b', { offset: 900, replId: 'old' }), // an old leader that went on alone
    member('e', { offset: 0, replId: 'fresh', redisRole: 'fenced' }), // a Redis that restarted empty
    member('c', { offset: 100, replId: 'h2' }),
    member('d', { offset: 400, replId: 'h1' }), // has not re-synced with the new leader yet: a prefix of its history
    member('f', { offset: 700, replId: 'h1' }), // went on in the old history past the point where h2 began
  ];
  assert.deepEqual(rankCandidates(members, history).map((m) => m.id), ['d', 'c']);
  // With only a cluster that restarted empty left, nobody is elected: waiting keeps the data.
  const d = decide(input({ current: { leaderId: 'a', epoch: 2 }, leaderFailed: true, history, members: [member('a', { healthy: false }), member('e', { replId: 'fresh', redisRole: 'fenced' })] }));
  assert.equal(d.kind, 'none');
  // An administrator may still force it.
  assert.equal(decide(input({ current: { leaderId: 'a', epoch: 2 }, history, force: true, members: [member('a', { healthy: false }), member('e', { replId: 'fresh', redisRole: 'fenced' })] })).kind, 'elect');
});

test('rankCandidates orders by offset, then id', () => {
  const order = rankCandidates([member('c', { offset: 1 }), member('b', { offset: 2 }), member('a', { offset: 2 })]).map((m) => m.id);
  assert.deepEqual(order, ['a', 'b', 'c']);
});

// A member's claim is believed only when the others agree: its word alone never moves the leader.
const led = (id: string, epoch: number, over: Partial<CandidateView> = {}) => member(id, { epoch, claimsLeadership: true, leaderId: id, redisRole: 'master', ...over });
const following = (id: string, leaderId: string, epoch: number, over: Partial<CandidateView> = {}) => member(id, { epoch, leaderId, followsLeader: true, ...over });

test('a fresh LB does not adopt a member that claims a higher epoch alone, and does not elect it', () => {
  const members = [led('x', 999_999, { offset: 10_000 }), led('a', 7, { offset: 50 }), following('b', 'a', 7, { offset: 50 }), following('c', 'a', 7, { offset: 49 })];
  const d = decide(input({ members, history: null }));
  assert.equal(d.kind, 'elect');
  assert.notEqual(d.kind === 'elect' && d.leaderId, 'x', 'the lone claimant is not a candidate');
  assert.ok(d.kind === 'elect' && d.epoch > 999_999, 'the new epoch is above the claim, so the claimant is demoted by it');
  assert.match(d.kind === 'elect' ? d.reason : '', /x claims epoch 999999 without the other clusters' agreement/);
});

test('a fresh LB adopts a claim the others confirm, and a lone claim nobody contradicts competes on its data', () => {
  const agreed = [led('a', 7), following('b', 'a', 7), member('c', { epoch: 3, leaderId: 'z' })];
  assert.deepEqual(decide(input({ members: agreed, history: null })).kind, 'adopt');
  // b says a leads, but its Redis does not replicate a (link down): not confirmation.
  const unconfirmed = [led('a', 7, { offset: 60 }), following('b', 'a', 7, { followsLeader: false, offset: 40 }), member('c', { offset: 30 })];
  const d = decide(input({ members: unconfirmed, history: null }));
  assert.deepEqual(d.kind === 'elect' && d.leaderId, 'a', 'not adopted, but elected on its data (nobody names another leader)');
  // One cluster alone: its own word is the majority.
  assert.equal(decide(input({ members: [led('a', 7)], history: null })).kind, 'adopt');
});

test('with a leader, a member ahead of its epoch alone is out-voted by a new epoch; one the others follow is adopted', () => {
  const current = { leaderId: 'a', epoch: 7 };
  const lone = [led('a', 7, { offset: 50 }), following('b', 'a', 7, { offset: 50 }), led('x', 500, { offset: 90 })];
  const d = decide(input({ current, members: lone }));
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['a', 501], 'the leader keeps leading, above the claim');
  const moved = [led('n', 9, { offset: 50 }), following('b', 'n', 9), following('c', 'n', 9), led('a', 7)];
  assert.deepEqual(decide(input({ current, members: moved })), { kind: 'adopt', leaderId: 'n', epoch: 9 + adoptionGap(4) });
});

test('a member claiming the current epoch alone (not offered to it) is not elected, whatever offset it reports', () => {
  const current = { leaderId: 'a', epoch: 7 };
  const members = [led('a', 7, { offset: 50 }), following('b', 'a', 7, { offset: 50 }), led('x', 7, { offset: 1e15 })];
  const d = decide(input({ current, members, spentEpoch: 7, offers: new Map([[7, 'a']]) }));
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['a', 8]);
  // ... nor when the leader has failed: a real follower takes over.
  const failed = decide(input({ current, members, leaderFailed: true, spentEpoch: 7, offers: new Map([[7, 'a']]) }));
  assert.deepEqual(failed.kind === 'elect' && failed.leaderId, 'b');
});

test('an offer of this LB applied late is its own choice: a candidate with its data, not an intruder', () => {
  // The LB offered epoch 6 to a (most data); the offer timed out, so the LB still sees epoch 5 led by l, which failed.
  const members = [led('l', 5, { offset: 100, healthy: false }), led('a', 6, { offset: 120 }), following('b', 'l', 5, { offset: 90 })];
  const d = decide(input({ current: { leaderId: 'l', epoch: 5 }, leaderFailed: true, members, spentEpoch: 6, offers: new Map([[6, 'a']]) }));
  assert.deepEqual(d.kind === 'elect' && [d.leaderId, d.epoch], ['a', 7]);
});

test('with two clusters, a fresh LB does not elect a lone claimant above the other\'s epoch', () => {
  const members = [led('i', 2 ** 40, { offset: 1e15 }), led('a', 3, { offset: 10 })];
  const d = decide(input({ members, history: null }));
  assert.deepEqual(d.kind === 'elect' && d.leaderId, 'a');
  assert.ok(d.kind === 'elect' && d.epoch > 2 ** 40);
});

test('names from older epochs do not contradict a claim; on equal data the claimant keeps leading', () => {
  // a leads epoch 9; b and c, mid-resync, still name the leader of epoch 8 and are at epoch 9 too.
  const members = [led('a', 9, { offset: 40 }), member('b', { epoch: 9, leaderId: 'a', offset: 40 }), member('c', { epoch: 8, leaderId: 'old', offset: 40 })];
  const d = decide(input({ members, history: null }));
  assert.deepEqual(d.kind === 'elect' && d.leaderId, 'a', 'not a fail-over for a tie, and c\'s epoch-8 name does not count against a');
});
