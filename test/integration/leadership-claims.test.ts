// A member's word alone never moves the leader: a cluster that claims a much higher epoch and
// leadership on its own (a bug, or a compromised container holding the cluster secret) is neither
// followed by a fresh LB nor by a running one: they follow the leader a majority elected, and never
// offer the impostor leadership (it never promised anything; an election goes above its claim).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { ADMIN, freePort, Harness } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';

let h: Harness;
let fake: Server;
let fakeId = '';
/** The epoch the fake member claims to lead (changed by the tests). */
let claimedEpoch = 1_000_000;
/** Leadership offers the LB made to the fake member: there must be none. */
const offers: unknown[] = [];

function startFakeMember(port: number): Server {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({
          name: 'impostor', epoch: claimedEpoch, role: 'leader', leaderId: fakeId, leaderReachable: true,
          redis: { up: true, role: 'master', endpoint: { host: '127.0.0.1', port: 1 }, offset: 10 ** 12, runId: 'fake', replIds: ['fake-history'], replOffset2: -1, syncing: false, linkUp: false, connectedReplicas: 2 },
        }));
        return;
      }
      if (req.method === 'PUT' && req.url === '/internal/leader') {
        const a = JSON.parse(body) as { youAreLeader?: boolean };
        if (a.youAreLeader) offers.push(a);
      }
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'stale_epoch', message: 'the impostor never follows' }));
    });
  });
  return server.listen(port, '127.0.0.1');
}

before(async () => {
  h = await Harness.start(3);
  const port = await freePort();
  fakeId = `127.0.0.1:${port}`;
  fake = startFakeMember(port);
});
after(async () => {
  fake?.close();
  await h?.stopAll();
});

const leaderOf = async () => (await call(`${h.lbUrl}/leader`)).body as { id: string; epoch: number; available: boolean };

test('a restarted LB does not follow a member that claims a higher epoch alone: it follows the real leader', async () => {
  const before = await leaderOf();
  assert.ok(before.epoch < claimedEpoch);
  await h.lb.kill('SIGKILL');
  await h.startLb({ STATIC_CLUSTERS: [...h.clusters.map((c) => c.id), fakeId].join(',') });
  await h.waitFor(async () => (await leaderOf().catch(() => null))?.available === true, 15_000, 'a leader');
  const l = await leaderOf();
  assert.deepEqual([l.id, l.epoch], [before.id, before.epoch], 'the leader a majority elected');
  assert.deepEqual(offers, [], 'the impostor was never offered leadership');
  // An election now goes above the claim, led by a real cluster.
  const forced = await call(`${h.lbUrl}/election`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(forced.status, 200, JSON.stringify(forced.body));
  assert.ok(forced.body.epoch > claimedEpoch, `epoch ${forced.body.epoch}`);
  assert.ok(h.clusters.some((c) => c.id === forced.body.id));
  assert.deepEqual(offers, []);
  assert.equal((await put(`${h.lbUrl}/keys/after-claim`, 'v')).status, 200);
  assert.equal((await call(`${h.lbUrl}/keys/after-claim`)).body.value, 'v');
});

test('a running LB is not moved by a member that jumps ahead alone: it keeps its real leader', async () => {
  const before = await leaderOf();
  claimedEpoch = before.epoch + 5_000_000;
  // Watched for 3 s: several probes of the impostor, and checks of the rules after each.
  for (const until = Date.now() + 3000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
    const l = await leaderOf();
    assert.deepEqual([l.id, l.epoch, l.available], [before.id, before.epoch, true], 'the same real leader');
  }
  assert.deepEqual(offers, [], 'the impostor was never offered leadership');
  assert.equal((await call(`${h.lbUrl}/keys/after-claim`)).body.value, 'v');
});
