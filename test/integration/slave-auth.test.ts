// A slave answers only the holders of the cluster secret (the LB), except GET /health: its
// key-value, batch, control and render routes are refused without it, and work through the LB.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Harness, SECRET } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';

let h: Harness;
before(async () => {
  h = await Harness.start(1);
});
after(() => h?.stopAll());

const ROUTES: [method: string, path: string, body?: string][] = [
  ['GET', '/keys/greeting'],
  ['PUT', '/keys/greeting', 'hijacked'],
  ['DELETE', '/keys/greeting'],
  ['GET', '/keys'],
  ['POST', '/internal/kv', '{"epoch":1,"ids":["x"],"ops":[{"op":"del","key":"greeting"}]}'],
  ['PUT', '/internal/leader', '{"epoch":999999,"leaderId":"127.0.0.1:1","leader":{"host":"127.0.0.1","port":1}}'],
  ['PUT', '/internal/fence', '{"writer":"x","generation":9}'],
  ['GET', '/render/pieces?width=64&height=64&p0=0&p1=1&escape=100'],
  ['GET', '/no-such-route'],
];

test('every slave route but /health needs the cluster secret (401 JSON without it or with a wrong one), and nothing changes', async () => {
  assert.equal((await put(`${h.lbUrl}/keys/greeting`, 'hello')).status, 200);
  const slave = `http://127.0.0.1:${h.clusters[0]!.slavePort}`;
  const epochBefore = (await call(`${slave}/health`)).body.epoch;
  for (const [method, path, body] of ROUTES) {
    for (const authorization of [undefined, 'Bearer wrong-secret', `Bearer ${SECRET}x`, SECRET]) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
      const res = await fetch(`${slave}${path}`, { method, headers, ...(body ? { body } : {}) });
      const answer = (await res.json()) as { error?: string; message?: string };
      assert.equal(res.status, 401, `${method} ${path} with ${authorization ?? 'no authorization'}`);
      assert.equal(answer.error, 'unauthorized');
      assert.match(answer.message ?? '', /CLUSTER_SECRET/);
    }
  }
  const health = await call(`${slave}/health`);
  assert.equal(health.status, 200, 'GET /health stays open (Docker and the LB probe it)');
  assert.equal(health.body.epoch, epochBefore, 'no refused assignment took effect');
  const read = await call(`${h.lbUrl}/keys/greeting`);
  assert.deepEqual([read.status, read.body.value], [200, 'hello'], 'through the LB (which holds the secret) all works, and no refused write landed');
  const withSecret = await fetch(`${slave}/no-such-route`, { headers: { authorization: `Bearer ${SECRET}` } });
  assert.equal(withSecret.status, 404, 'with the secret, the slave answers as before');
});
