// What a 200 for a write promises, under each WRITE_ACK policy, with real Redis replication.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Harness } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';

test('a single cluster (no follower): the write is acknowledged by the leader alone, and the answer says so', async (t) => {
  const h = await Harness.start(1);
  t.after(() => h.stopAll());
  const r = await put(`${h.lbUrl}/keys/solo`, 'v');
  assert.equal(r.status, 200);
  assert.equal(r.body.durability, 'leader');
});

test('three clusters, both followers gone: the leader alone is no majority, so nothing is acknowledged, never as durability "leader"', async (t) => {
  const h = await Harness.start(3);
  t.after(() => h.stopAll());
  assert.equal((await put(`${h.lbUrl}/keys/before`, 'v')).body.durability, 'replica');
  const leader = await h.leader();
  const followers = h.clusters.filter((c) => c.id !== leader.id);
  for (const f of followers) await f.redis.kill('SIGKILL');
  await h.waitFor(async () => (await call(`${h.lbUrl}/health`)).body.clusters.healthy === 1, 15_000, 'the followers seen as down');
  const r = await put(`${h.lbUrl}/keys/alone`, 'v');
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.notEqual(r.body.durability, 'leader');
  // Reads are confirmed by a majority too: none is answered either.
  assert.equal((await call(`${h.lbUrl}/keys/before`)).status, 503);
  for (const f of followers) f.redis.start();
  await h.waitFor(async () => (await put(`${h.lbUrl}/keys/after`, 'v')).body.durability === 'replica', 20_000, 'writes confirmed again');
  assert.equal((await call(`${h.lbUrl}/keys/before`)).body.value, 'v');
});

test('WRITE_ACK=leader: writes are acknowledged without waiting for a follower', async (t) => {
  const h = await Harness.start(2, { slave: { WRITE_ACK: 'leader' } });
  t.after(() => h.stopAll());
  assert.equal((await put(`${h.lbUrl}/keys/fast`, 'v')).body.durability, 'leader');
});

test('WRITE_ACK=replica: a write no follower confirms is not acknowledged (503 not_replicated)', async (t) => {
  const h = await Harness.start(2);
  t.after(() => h.stopAll());
  assert.equal((await put(`${h.lbUrl}/keys/before`, 'v')).body.durability, 'replica');
  const leader = await h.leader();
  const follower = h.clusters.find((c) => c.id !== leader.id)!;
  follower.redis.pause(); // still connected to the leader, but confirms nothing
  try {
    const r = await put(`${h.lbUrl}/keys/unconfirmed`, 'v');
    assert.equal(r.status, 503);
    assert.equal(r.body.error, 'not_replicated');
    assert.ok(r.headers.get('retry-after'));
  } finally {
    follower.redis.resume();
  }
  await h.waitFor(async () => (await put(`${h.lbUrl}/keys/after`, 'v')).body.durability === 'replica', 10_000, 'writes confirmed by the follower again');
  assert.equal((await call(`${h.lbUrl}/keys/before`)).body.value, 'v');
});
