// The election rules (decide.ts), pure: when an LB keeps, follows or elects, at which epoch, and
// which of the clusters that promised becomes the leader.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseLeader, decide, ELECTION_PATIENCE_MS, fleetLeader, promisesNeeded, votersOf, votingPromises, type CandidateView, type ElectionInput, type Promiser } from '../../lb-image/src/election/decide.ts';

const member = (id: string, over: Partial<CandidateView> = {}): CandidateView => ({
  id, name: id, probed: true, healthy: true, epoch: 0, promised: 0, voters: 0, claimsLeadership: false, leaderId: null, redisRole: 'replica', offset: 0, dataEpoch: 0, syncing: false, ...over,
});
const leading = (id: string, epoch: number, over: Partial<CandidateView> = {}) =>
  member(id, { epoch, promised: epoch, voters: 3, claimsLeadership: true, leaderId: id, redisRole: 'master', dataEpoch: epoch, ...over });
const following = (id: string, leaderId: string, epoch: number, over: Partial<CandidateView> = {}) =>
  member(id, { epoch, promised: epoch, voters: 3, leaderId, dataEpoch: epoch, ...over });
const input = (over: Partial<ElectionInput>): ElectionInput => ({ members: [], current: null, leaderFailed: false, spentEpoch: 0, ...over });

test('a fresh LB waits until every cluster was probed, then elects epoch 1 in a fresh fleet', () => {
  assert.equal(decide(input({ members: [member('a'), member('b', { probed: false })] })).kind, 'wait');
  assert.equal(decide(input({ members: [] })).kind, 'wait');
  assert.deepEqual(decide(input({ members: [member('b'), member('a'), member('c')] })), { kind: 'elect', epoch: 1, reason: 'no leader yet' });
});

test('an LB that starts (or restarts) follows the leader a majority elected, with no new epoch', () => {
  const members = [leading('b', 5), following('a', 'b', 5), following('c', 'b', 5)];
  assert.deepEqual(decide(input({ members })), { kind: 'follow', leaderId: 'b', epoch: 5, leaderName: 'b' });
  // Followers that promised the epoch but have not been told the leader yet back it too.
  const early = [leading('b', 5), member('a', { epoch: 4, promised: 5 }), member('c', { epoch: 4, promised: 5 })];
  assert.deepEqual(decide(input({ members: early })), { kind: 'follow', leaderId: 'b', epoch: 5, leaderName: 'b' });
});

test('a running LB follows a newer leader that another LB elected, and keeps its own otherwise', () => {
  const current = { leaderId: 'a', epoch: 4 };
  const mine = [leading('a', 4), following('b', 'a', 4), following('c', 'a', 4)];
  assert.equal(decide(input({ current, members: mine })).kind, 'keep');
  const theirs = [following('a', 'b', 6), leading('b', 6), following('c', 'b', 6)];
  assert.deepEqual(decide(input({ current, members: theirs })), { kind: 'follow', leaderId: 'b', epoch: 6, leaderName: 'b' });
});

test('a member that claims a huge epoch alone is neither followed nor trusted; the next election goes above it', () => {
  const impostor = leading('x', 1_000_000, { promised: 0 });
  const members = [leading('a', 4), following('b', 'a', 4), following('c', 'a', 4), impostor];
  assert.equal(fleetLeader(members)?.leaderId, 'a');
  assert.equal(decide(input({ current: { leaderId: 'a', epoch: 4 }, members })).kind, 'keep');
  const d = decide(input({ current: { leaderId: 'a', epoch: 4 }, leaderFailed: true, members }));
  assert.deepEqual(d.kind === 'elect' && d.epoch, 1_000_001);
  // A fresh LB facing only the claim and clusters without a leader elects, and says why.
  const fresh = decide(input({ members: [impostor, member('b', { epoch: 3 }), member('c', { epoch: 3 })] }));
  assert.deepEqual(fresh, { kind: 'elect', epoch: 1_000_001, reason: "x claims epoch 1000000 without the other clusters' agreement" });
});

test('a leader frozen by a newer promise is not followed; a leader is kept until it has failed or left', () => {
  assert.equal(fleetLeader([leading('a', 4, { promised: 5 }), following('b', 'a', 4), following('c', 'a', 4)]), null);
  const members = [leading('a', 2), following('b', 'a', 2)];
  const current = { leaderId: 'a', epoch: 2 };
  assert.equal(decide(input({ current, members })).kind, 'keep');
  assert.deepEqual(decide(input({ current, leaderFailed: true, members })), { kind: 'elect', epoch: 3, reason: 'leader a failed' });
  assert.deepEqual(decide(input({ current: { leaderId: 'gone', epoch: 7 }, members: [following('b', 'gone', 7), following('c', 'gone', 7)] })), {
    kind: 'elect', epoch: 8, reason: 'leader gone left the membership',
  });
});

test('no election while fewer clusters answer than a majority (with two, while none does): it could not win', () => {
  const down = (m: CandidateView) => ({ ...m, healthy: false });
  const three = [leading('a', 4), following('b', 'a', 4), following('c', 'a', 4)];
  assert.deepEqual(decide(input({ current: { leaderId: 'a', epoch: 4 }, leaderFailed: true, members: [down(three[0]!), down(three[1]!), three[2]!] })), {
    kind: 'wait', reason: '1 of 3 clusters answer; an election needs a majority',
  });
  assert.equal(decide(input({ members: [member('a', { healthy: false }), member('b', { healthy: false }), member('c')] })).kind, 'wait', 'a fresh fleet still starting');
  const two = [leading('a', 4, { voters: 2 }), following('b', 'a', 4, { voters: 2 })];
  assert.equal(decide(input({ current: { leaderId: 'a', epoch: 4 }, leaderFailed: true, members: [down(two[0]!), two[1]!] })).kind, 'elect', 'two clusters: the one that answers');
});

test('another LB\'s election is given time to finish, then this LB holds its own above it', () => {
  const current = { leaderId: 'a', epoch: 4 };
  const members = [leading('a', 4, { promised: 5 }), following('b', 'a', 4, { promised: 5 }), following('c', 'a', 4)];
  assert.equal(decide(input({ current, leaderFailed: true, members, foreignElectionMs: 100 })).kind, 'wait');
  assert.deepEqual(decide(input({ current, leaderFailed: true, members, foreignElectionMs: ELECTION_PATIENCE_MS })), {
    kind: 'elect', epoch: 6, reason: 'leader a failed',
  });
  // Its own election (spentEpoch) is not someone else's.
  assert.equal(decide(input({ current, leaderFailed: true, members, spentEpoch: 5 })).kind, 'elect');
});

test('epochs only grow: above every epoch reported, promised, or asked for by this LB', () => {
  const members = [member('a', { epoch: 3, promised: 9 }), member('b', { epoch: 4 })];
  assert.deepEqual(decide(input({ members, spentEpoch: 12 })), { kind: 'elect', epoch: 13, reason: 'the leader of epoch 4 is not available' });
  assert.deepEqual(decide(input({ members, force: true })), { kind: 'elect', epoch: 10, reason: 'requested by an administrator' });
});

test('the voters are every member known, or more if an assignment counted more; a majority of them backs a leader', () => {
  assert.equal(votersOf([member('a'), member('b')]), 2);
  assert.equal(votersOf([member('a', { voters: 5 }), member('b')]), 5);
  assert.equal(votersOf([member('a'), member('a2', { name: 'a' }), member('b')]), 2, 'a cluster back at a new address is one voter');
  // Two of five back the leader: not a majority, not followed.
  assert.equal(fleetLeader([leading('a', 4, { voters: 5 }), following('b', 'a', 4, { voters: 5 }), member('c'), member('d'), member('e')]), null);
  assert.equal(fleetLeader([leading('a', 4, { voters: 5 }), following('b', 'a', 4), following('c', 'a', 4), member('d'), member('e')])?.leaderId, 'a');
});

const promiser = (id: string, dataEpoch: number, offset: number, over: Partial<Promiser> = {}): Promiser => ({ id, redisUp: true, syncing: false, dataEpoch, offset, ...over });

test('the leader is the promiser with the most recent data: the epoch its data came from, then the offset', () => {
  // b holds less of epoch 7's history than a, but epoch 7's data is newer than c's epoch 6 data,
  // however long c's history is.
  assert.equal(chooseLeader([promiser('c', 6, 9_000), promiser('b', 7, 100), promiser('a', 7, 120)])?.id, 'a');
  assert.equal(chooseLeader([promiser('c', 6, 9_000), promiser('b', 7, 100)])?.id, 'b');
  // Ties: the preferred one (the current leader), then the id. Never a Redis that is down or syncing.
  assert.equal(chooseLeader([promiser('b', 7, 100), promiser('a', 7, 100)])?.id, 'a');
  assert.equal(chooseLeader([promiser('b', 7, 100), promiser('a', 7, 100)], 'b')?.id, 'b');
  assert.equal(chooseLeader([promiser('a', 7, 500, { syncing: true }), promiser('b', 7, 100, { redisUp: false }), promiser('c', 0, 0)])?.id, 'c');
  assert.equal(chooseLeader([promiser('a', 7, 500, { redisUp: false })]), undefined);
});

test('a majority of promises is needed; with two clusters, one when the other is down or gone', () => {
  assert.equal(promisesNeeded(3, 1, [false, false]), 2);
  assert.equal(promisesNeeded(5, 3, [true, false]), 3);
  assert.equal(promisesNeeded(2, 1, [false]), 1, 'the other cluster is down for this LB');
  assert.equal(promisesNeeded(2, 1, []), 1, 'the other cluster left the membership');
  assert.equal(promisesNeeded(2, 1, [true]), 2, 'the other answers but promised another LB: no');
});

test('a promise from a Redis without any leader\'s data (restarted empty, never synced, in a full sync) does not count, unless none has data', () => {
  const h = (dataEpoch: number, syncing = false) => ({ dataEpoch, redis: { syncing } });
  const ids = (ps: { id: string }[]) => ps.map((p) => p.id);
  const ps = [{ id: 'a', h: h(5) }, { id: 'b', h: h(0) }, { id: 'c', h: h(5, true) }];
  assert.deepEqual(ids(votingPromises(ps, (p) => p.h)), ['a']);
  const fresh = [{ id: 'a', h: h(0) }, { id: 'b', h: h(0) }];
  assert.deepEqual(ids(votingPromises(fresh, (p) => p.h)), ['a', 'b'], 'a fresh fleet');
});
