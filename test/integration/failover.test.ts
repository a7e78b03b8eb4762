// Failures of real processes: the leader's Redis killed, a follower's slave killed, the LB
// restarted, a frozen leader coming back. /health must answer 200 throughout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Harness, redisClient, sleep } from '../helpers/processes.ts';
import { call, put, watchHealth } from '../helpers/http.ts';

let h: Harness;
let lb: string;
before(async () => {
  h = await Harness.start(3);
  lb = h.lbUrl;
});
after(() => h?.stopAll());

async function firstWriteAfter(key: string, deadlineMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs) {
    const r = await put(`${lb}/keys/${key}`, 'v').catch(() => null);
    if (r?.status === 200) return Date.now() - t0;
    await sleep(20);
  }
  throw new Error(`no successful write within ${deadlineMs} ms`);
}

async function redisGet(port: number, key: string): Promise<string | null> {
  const c = await redisClient(port);
  try {
    return await c.get(key);
  } finally {
    await c.close();
  }
}

test('SIGKILL of the leader\'s redis: an election, writes succeed again, nothing acknowledged is lost, /health stays 200', async () => {
  for (let i = 0; i < 20; i++) assert.equal((await put(`${lb}/keys/before:${i}`, `v${i}`)).status, 200);
  const health = watchHealth(lb);
  const old = await h.leader();
  const oldEpoch = (await call(`${lb}/leader`)).body.epoch;
  await old.redis.kill('SIGKILL');
  const killedAt = Date.now();
  const ms = await firstWriteAfter('after-kill', 10_000);
  const now = (await call(`${lb}/leader`)).body;
  assert.notEqual(now.id, old.id);
  assert.ok(now.epoch > oldEpoch);
  for (let i = 0; i < 20; i++) assert.equal((await call(`${lb}/keys/before:${i}`)).body.value, `v${i}`);
  await sleep(Math.max(0, killedAt + 1500 - Date.now())); // watch /health across the whole failover
  const statuses = await health.stop();
  assert.ok(statuses.length >= 10, `${statuses.length} health checks`);
  assert.deepEqual([...new Set(statuses)], [200], '/health answered 200 every time');
  console.log(`# failover: first successful write ${ms} ms after SIGKILL of the leader's redis (epoch ${oldEpoch} -> ${now.epoch})`);
  // Bring that Redis back (as supervisord would): it must rejoin as a follower, not as a leader.
  const back = h.redisProc(old.redisPort).start();
  old.redis = back;
  await h.waitFor(async () => (await redisGet(old.redisPort, 'before:7')) === 'v7', 10_000, 'the restarted redis to resync from the new leader');
  assert.equal((await call(`${lb}/leader`)).body.id, now.id);
});

test('killing a follower\'s slave: clients see nothing break', async () => {
  const leader = await h.leader();
  const follower = h.clusters.find((c) => c.id !== leader.id && c.slave.running)!;
  const failures: string[] = [];
  let ops = 0;
  const traffic = (async () => {
    const end = Date.now() + 3000;
    for (let i = 0; Date.now() < end; i++) {
      const w = await put(`${lb}/keys/steady:${i}`, String(i)).catch((e) => ({ status: String(e), body: null }));
      const r = await call(`${lb}/keys/steady:${i}`).catch((e) => ({ status: String(e), body: null }));
      ops += 2;
      if (w.status !== 200 || r.status !== 200 || r.body?.value !== String(i)) failures.push(`${i}: ${w.status}/${r.status}`);
    }
  })();
  const healthyBefore = (await call(`${lb}/health`)).body.clusters.healthy;
  await sleep(800);
  await follower.slave.kill('SIGKILL');
  await traffic;
  assert.deepEqual(failures, [], `every one of ${ops} requests succeeded`);
  await h.waitFor(async () => (await call(`${lb}/health`)).body.clusters.healthy === healthyBefore - 1, 5000, 'the LB to mark the slave unhealthy');
  // Restart it: it learns the current leader and epoch and is routable again.
  follower.slave = h.slaveProc(follower.slavePort, follower.redisPort).start();
  await h.waitFor(async () => {
    const s = (await call(`${lb}/servers`)).body.find((x: any) => x.id === follower.id);
    return s.healthy && s.epoch === (await call(`${lb}/leader`)).body.epoch;
  }, 10_000, 'the restarted slave to learn the current epoch');
});

test('an LB restart follows the current leader and epoch instead of electing', async () => {
  const before = (await call(`${lb}/leader`)).body;
  await h.lb.kill('SIGKILL');
  await h.startLb();
  await h.waitFor(async () => (await call(`${lb}/ready`)).status === 200, 10_000, 'the restarted LB to be ready');
  const after = (await call(`${lb}/leader`)).body;
  assert.deepEqual([after.id, after.epoch], [before.id, before.epoch]);
  await h.lb.waitForOutput(/following the leader the fleet elected/);
  assert.doesNotMatch(h.lb.output, /elected a new leader/);
  assert.equal((await call(`${lb}/keys/before:3`)).body.value, 'v3');
});

test('a frozen leader that comes back is demoted and never serves its stale data', async () => {
  const old = await h.leader();
  await put(`${lb}/keys/contested`, 'old value');
  old.slave.pause();
  old.redis.pause();
  try {
    const ms = await firstWriteAfter('during-freeze', 10_000);
    console.log(`# frozen leader: first successful write ${ms} ms after the freeze`);
    assert.equal((await put(`${lb}/keys/contested`, 'new value')).status, 200);
  } finally {
    old.slave.resume();
    old.redis.resume();
  }
  const t1 = Date.now();
  const reads: string[] = [];
  const end = Date.now() + 2000;
  while (Date.now() < end) reads.push((await call(`${lb}/keys/contested`)).body.value);
  assert.deepEqual([...new Set(reads)], ['new value'], 'no read returned the old leader\'s data');
  await h.waitFor(async () => (await redisGet(old.redisPort, 'contested')) === 'new value', 10_000, 'the old leader to resync as a follower');
  console.log(`# frozen leader: demoted and resynced ${Date.now() - t1} ms after it came back`);
  // /servers shows what the probes last saw: wait for the next probe of the old leader.
  await h.waitFor(async () => {
    const s = (await call(`${lb}/servers`)).body.find((x: any) => x.id === old.id);
    return s.role === 'follower' && s.redis.role === 'replica';
  }, 10_000, '/servers to list the old leader as a follower whose Redis is a replica');
});
