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
  await h.clusters[0]!.slave.waitForOutput(/write acknowledged by the leader only: no follower is connected/);
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
