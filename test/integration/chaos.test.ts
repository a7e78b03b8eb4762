// Chaos at process level: numbered writes through the LB while the leader's redis-server is
// SIGKILLed three times in a row and restarted a second later each time (as supervisord does,
// empty: there is no persistence). Every acknowledged write must read back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Harness, sleep } from '../helpers/processes.ts';
import { call } from '../helpers/http.ts';
import { startWriter } from '../helpers/chaos.ts';

let h: Harness;
before(async () => {
  h = await Harness.start(3);
});
after(() => h?.stopAll());

test('three leader Redis kills under write load lose no acknowledged write', async () => {
  const writer = startWriter(h.lbUrl, { prefix: 'chaos', concurrency: 4, maxWrites: 20_000, maxMs: 40_000 });
  const failovers: number[] = [];
  for (let round = 0; round < 3; round++) {
    await sleep(1500);
    const leader = await h.leader();
    const epoch = (await call(`${h.lbUrl}/leader`)).body.epoch;
    await leader.redis.kill('SIGKILL');
    const killedAt = Date.now(); // once the process is dead
    await sleep(1000); // supervisord's restart delay, roughly
    leader.redis = h.redisProc(leader.redisPort).start(); // back empty, and fenced by redis.conf
    await h.waitFor(async () => (await call(`${h.lbUrl}/leader`)).body.epoch > epoch, 15_000, `an election after kill ${round + 1}`);
    await h.waitFor(async () => writer.firstAckAfter(killedAt) !== null, 15_000, 'a write acknowledged after the kill');
    failovers.push(writer.firstAckAfter(killedAt)! - killedAt);
  }
  await sleep(1000);
  const { acked, attempted, refused } = await writer.stop();

  const lost: string[] = [];
  for (const [key, value] of acked) {
    const r = await call(`${h.lbUrl}/keys/${key}`);
    if (r.status !== 200 || r.body.value !== value) lost.push(`${key}: ${r.status} ${JSON.stringify(r.body).slice(0, 80)}`);
  }
  console.log(`# chaos (processes): ${attempted} writes sent, ${acked.size} acknowledged, ${refused} refused (not acknowledged), ${lost.length} acknowledged writes lost`);
  console.log(`# chaos (processes): failover times from SIGKILL to the first acknowledged write: ${failovers.join(' ms, ')} ms`);
  assert.ok(acked.size > 100, `enough acknowledged writes to mean something (${acked.size})`);
  assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged writes lost`);
});

test('a leader Redis that restarts empty before the LB notices never wipes its followers', async () => {
  // Kill and restart at once: the Redis is back (empty, fenced) within the failure threshold.
  const before = (await call(`${h.lbUrl}/keys?prefix=chaos:&limit=1000`)).body.keys.length;
  assert.ok(before > 0);
  const leader = await h.leader();
  await leader.redis.kill('SIGKILL');
  leader.redis = h.redisProc(leader.redisPort).start();
  await h.waitFor(async () => (await h.leader()).id !== leader.id, 10_000, 'the restarted (empty) Redis to be replaced as the leader');
  const after = (await call(`${h.lbUrl}/keys?prefix=chaos:&limit=1000`)).body.keys.length;
  assert.equal(after, before, 'the keys are still there after the empty restart');
});
