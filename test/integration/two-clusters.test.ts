// The smallest system that can fail over: two clusters. When the leader's Redis dies, the request
// that noticed it waits for the election and is retried on the surviving slave (the same slave it
// first went to: the problem was the leader, not that slave), so a client sees no error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Harness } from '../helpers/processes.ts';
import { call } from '../helpers/http.ts';
import { startWriter } from '../helpers/chaos.ts';

test('two clusters: a leader Redis kill under four writers refuses and loses nothing', async (t) => {
  const h = await Harness.start(2);
  t.after(() => h.stopAll());
  const writer = startWriter(h.lbUrl, { prefix: 'two', concurrency: 4, maxWrites: 100_000, maxMs: 30_000 });
  await h.waitFor(async () => writer.acked() >= 50, 10_000, '50 acknowledged writes before the kill');
  const before = (await call(`${h.lbUrl}/leader`)).body;
  await (await h.leader()).redis.kill('SIGKILL');
  const killedAt = Date.now();
  await h.waitFor(async () => (await call(`${h.lbUrl}/leader`)).body.epoch > before.epoch, 10_000, 'an election');
  await h.waitFor(async () => writer.firstAckAfter(killedAt) !== null, 10_000, 'a write acknowledged after the kill');
  const { acked, refused } = await writer.stop();
  assert.equal(refused, 0, 'no write was refused');
  for (const [key, value] of acked) assert.equal((await call(`${h.lbUrl}/keys/${key}`)).body.value, value);
  assert.ok(acked.size > 50, `${acked.size} acknowledged writes`);
});
