// Servers that sign up with the LB (no DNS, no static list): listed as "registered", refused
// without the secret, dropped once they stop renewing and fail their probes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort, Harness, SECRET } from '../helpers/processes.ts';
import { call, postJson, put } from '../helpers/http.ts';

let h: Harness;
/** What the LB answered before any server had signed up (no cluster, so no leader). */
const beforeSignup: Record<string, { status: number; body: any; retryAfter: string | null; ms: number }> = {};
before(async () => {
  h = new Harness();
  h.lbPort = await freePort();
  await h.startLb({ STATIC_CLUSTERS: '', REGISTRATION_TTL_SECONDS: '2', LEADER_WAIT_MS: '500' });
  for (const [name, send] of Object.entries({
    health: () => call(`${h.lbUrl}/health`),
    ready: () => call(`${h.lbUrl}/ready`),
    leader: () => call(`${h.lbUrl}/leader`),
    write: () => put(`${h.lbUrl}/keys/too-early`, 'v'),
  })) {
    const started = Date.now();
    const r = await send();
    beforeSignup[name] = { status: r.status, body: r.body, retryAfter: r.headers.get('retry-after'), ms: Date.now() - started };
  }
  for (let i = 0; i < 2; i++) await h.addCluster({ LB_URL: h.lbUrl, SIGNUP_SCHEDULE: '* * * * * *' });
});
after(() => h?.stopAll());

test('with no leader: /health is 200 "down", /ready and /leader 503, a write waits briefly then gets 503 with Retry-After', () => {
  assert.equal(beforeSignup.health!.status, 200);
  assert.equal(beforeSignup.health!.body.status, 'down');
  assert.equal(beforeSignup.ready!.status, 503);
  assert.equal(beforeSignup.leader!.status, 503);
  assert.equal(beforeSignup.write!.status, 503);
  assert.equal(beforeSignup.write!.retryAfter, '1');
  assert.equal(typeof beforeSignup.write!.body.message, 'string');
  assert.ok(beforeSignup.write!.ms >= 450 && beforeSignup.write!.ms < 5000, `waited ${beforeSignup.write!.ms} ms (LEADER_WAIT_MS=500)`);
});

test('slaves started with the LB URL sign up, are listed as registered and serve requests', async () => {
  await h.waitFor(async () => {
    const health = (await call(`${h.lbUrl}/health`)).body;
    return health.status === 'ok' && health.clusters.healthy === 2;
  }, 10_000, 'both signed-up clusters healthy with a leader');
  const servers = (await call(`${h.lbUrl}/servers`)).body;
  assert.deepEqual(servers.map((s: any) => s.id).sort(), h.clusters.map((c) => c.id).sort());
  assert.ok(servers.every((s: any) => s.source === 'registered' && s.healthy));
  assert.equal((await put(`${h.lbUrl}/keys/registered`, 'works')).status, 200);
  assert.equal((await call(`${h.lbUrl}/keys/registered`)).body.value, 'works');
});

test('signing up needs the cluster secret (401) and a valid address and port (400)', async () => {
  assert.equal((await postJson(`${h.lbUrl}/servers`, { address: '127.0.0.1', port: 1234 })).status, 401);
  assert.equal((await postJson(`${h.lbUrl}/servers`, { address: '127.0.0.1', port: 1234 }, { authorization: 'Bearer wrong' })).status, 401);
  const auth = { authorization: `Bearer ${SECRET}` };
  const bad = await postJson(`${h.lbUrl}/servers`, { address: 'bad address!', port: 1234 }, auth);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid_address');
  assert.equal((await postJson(`${h.lbUrl}/servers`, { address: '127.0.0.1', port: 70000 }, auth)).status, 400);
  assert.equal((await call(`${h.lbUrl}/servers`)).body.length, 2, 'nothing was added');
});

test('a signed-up server that stops renewing and fails its probes leaves the list', async () => {
  const gone = h.clusters[1]!;
  await gone.slave.kill('SIGKILL');
  await h.waitFor(async () => !(await call(`${h.lbUrl}/servers`)).body.some((s: any) => s.id === gone.id), 10_000, 'the dead server to leave /servers');
  assert.equal((await call(`${h.lbUrl}/servers`)).body.length, 1);
  assert.equal((await put(`${h.lbUrl}/keys/after-leave`, 'still works')).status, 200);
});
