// The LB knows clusters by address, and an address can pass to another cluster: Docker gives a
// stopped container's IP to the next one that starts (a chaos run saw two clusters lead one epoch
// this way). Here the leader's slave dies and another cluster's slave comes up at its address,
// with a Redis that is still a master (as a former leader's is, cut off during the election that
// replaced it). The LB sees "the leader's slave restarted", and would tell whoever answers there
// that it leads: it must notice the name is another cluster's (and the slave refuse an assignment
// naming another cluster, should one reach it), and hold a new election instead.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createClient } from 'redis';
import { CONTROL_PASSWORD, Harness, SECRET } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';

test("a cluster that comes up at the leader's address is refused leadership of its epoch; a new election follows", async (t) => {
  const h = await Harness.start(3);
  t.after(() => h.stopAll());
  const leader = await h.leader();
  const { epoch } = (await call(`${h.lbUrl}/leader`)).body as { epoch: number };
  // Acknowledged once a follower has synced (503 until then).
  await h.waitFor(async () => (await put(`${h.lbUrl}/keys/before-the-move`, 'kept')).status === 200, 20_000, 'a write acknowledged');
  const other = h.clusters.find((c) => c !== leader)!;
  const otherName = `cluster-${other.slavePort}`;

  // The LB is frozen while the address changes hands, so that it first sees the new occupant (not
  // an empty address, which it would treat as the leader's failure, as it should).
  h.lb.pause();
  try {
    await other.slave.kill('SIGKILL');
    const control = createClient({ socket: { host: '127.0.0.1', port: other.redisPort }, username: 'control', password: CONTROL_PASSWORD });
    await control.connect();
    await control.sendCommand(['REPLICAOF', 'NO', 'ONE']);
    await control.quit();
    await leader.slave.kill('SIGKILL');
    h.slaveProc(leader.slavePort, other.redisPort, {
      CLUSTER_NAME: otherName,
      STATE_FILE: path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-moved-')), 'acceptor.json'),
    }).start();
    await h.waitFor(
      async () => ((await fetch(`http://127.0.0.1:${leader.slavePort}/health`).then((r) => r.json())) as { name: string }).name === otherName,
      10_000,
      `${otherName} answering at the leader's address`,
    );
  } finally {
    h.lb.resume();
  }

  // Watched until the LB has a leader of a newer epoch.
  const claims: { epoch: number; role: string }[] = [];
  await h.waitFor(async () => {
    const seen = (await fetch(`http://127.0.0.1:${leader.slavePort}/health`).then((r) => r.json()).catch(() => null)) as { epoch: number; role: string } | null;
    if (seen) claims.push(seen);
    const now = (await call(`${h.lbUrl}/leader`)).body as { epoch: number; available: boolean };
    return now.available && now.epoch > epoch;
  }, 30_000, 'a leader of a newer epoch');
  assert.deepEqual(claims.filter((c) => c.epoch === epoch && c.role === 'leader'), [], `${otherName} never led epoch ${epoch}`);
  assert.ok(h.lb.count(/another cluster answers at the leader's address|not_this_cluster/) > 0, 'the LB noticed another cluster at the leader\'s address');
  // A read or a write needs a follower of the new leader: 503 until one has synced.
  let read = await call(`${h.lbUrl}/keys/before-the-move`);
  await h.waitFor(async () => (read = await call(`${h.lbUrl}/keys/before-the-move`)).status !== 503, 20_000, 'a read answered by the new leader');
  assert.equal(read.body.value, 'kept', `the acknowledged write survived (${read.status} ${JSON.stringify(read.body)})`);
  await h.waitFor(async () => (await put(`${h.lbUrl}/keys/after-the-move`, 'new')).status === 200, 20_000, 'a write acknowledged by the new leader');
});

test('a slave refuses an assignment that names another cluster as the leader, or names it and says follow', async (t) => {
  const h = await Harness.start(3);
  t.after(() => h.stopAll());
  const leader = await h.leader();
  const follower = h.clusters.find((c) => c !== leader)!;
  const { epoch } = (await call(`${h.lbUrl}/leader`)).body as { epoch: number };
  const healthOf = async () => (await call(`http://127.0.0.1:${follower.slavePort}/health`)).body as { epoch: number; role: string };
  await h.waitFor(async () => (await healthOf()).role === 'follower', 20_000, 'the follower told the leader');
  const assign = (c: typeof leader, body: Record<string, unknown>) =>
    call(`http://127.0.0.1:${c.slavePort}/internal/leader`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({ epoch: epoch + 1, leaderId: follower.id, leader: { host: '127.0.0.1', port: follower.redisPort }, reason: 'sync', voters: 3, ...body }),
    });
  // "You lead" sent to the follower's address, but naming the cluster that was there before.
  const lead = await assign(follower, { youAreLeader: true, leaderName: `cluster-${leader.slavePort}` });
  assert.equal(lead.status, 409, JSON.stringify(lead.body));
  assert.equal(lead.body.error, 'not_this_cluster');
  // "Follow the leader at that address", sent to the cluster the assignment names as the leader.
  const follow = await assign(follower, { youAreLeader: false, leaderName: `cluster-${follower.slavePort}` });
  assert.equal(follow.status, 409, JSON.stringify(follow.body));
  assert.equal(follow.body.error, 'not_this_cluster');
  const health = await healthOf();
  assert.deepEqual([health.epoch, health.role], [epoch, 'follower'], 'nothing changed');
});
