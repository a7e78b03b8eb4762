// Two LBs in front of the same three clusters (README "Several LBs"): with no fault nothing is
// elected and every request is answered; a failure gives one election, not one per LB, and both
// LBs follow its leader; an LB killed leaves the other answering every request; an LB started late
// follows the fleet's leader and epoch; simultaneous elections through both LBs never give an epoch
// two leaders nor lose an acknowledged write.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN, freePort, Harness, ROOT, sleep, type Proc } from '../helpers/processes.ts';
import { call, postJson, put } from '../helpers/http.ts';

let h: Harness;
let second: { proc: Proc; url: string };
before(async () => {
  h = await Harness.start(3);
  second = await h.startExtraLb();
  await h.waitFor(async () => (await leaderOf(second.url))?.available === true, 15_000, 'the second LB follows the leader');
});
after(() => h?.stopAll());

interface Leader {
  id: string;
  epoch: number;
  available: boolean;
}
const leaderOf = async (lb: string): Promise<Leader | null> => {
  const r = await call(`${lb}/leader`).catch(() => null);
  return r?.status === 200 ? (r.body as Leader) : null;
};
/** Elections this LB has held (its metrics). */
const electionsOf = async (lb: string): Promise<number> => {
  const text = (await call(`${lb}/metrics`)).body as string;
  return Number(/^lb_elections_total (\d+)$/m.exec(text)?.[1] ?? NaN);
};
const bothLbs = () => [h.lbUrl, second.url];
/** The LBs agree on the leader and its epoch, and it serves. */
async function agreed(lbs: string[]): Promise<Leader> {
  let seen: (Leader | null)[] = [];
  await h.waitFor(async () => {
    seen = await Promise.all(lbs.map(leaderOf));
    return seen.every((l) => l?.available && l.id === seen[0]!.id && l.epoch === seen[0]!.epoch);
  }, 20_000, 'every LB on the same leader and epoch');
  return seen[0]!;
}

/** Clients spreading reads and writes over `lbs` until stopped; every answer's status is counted. */
function traffic(lbs: () => string[], prefix: string) {
  const statuses = new Map<string, number>();
  let running = true;
  let n = 0;
  const loop = async (client: number) => {
    while (running) {
      const lb = lbs()[n++ % lbs().length]!;
      const key = `${prefix}:${client}:${n % 7}`;
      const r = await (n % 2 ? put(`${lb}/keys/${key}`, `v${n}`) : call(`${lb}/keys/${key}`)).catch((e: Error) => ({ status: e.message }));
      const k = String(r.status === 404 ? 200 : r.status);
      statuses.set(k, (statuses.get(k) ?? 0) + 1);
    }
  };
  const done = Promise.all([1, 2, 3, 4].map(loop));
  return {
    statuses,
    async stop() {
      running = false;
      await done;
      return statuses;
    },
  };
}

test('no fault, two LBs serving: no election for 30 s, every request answered', async () => {
  const start = await agreed(bothLbs());
  const elections = (await electionsOf(h.lbUrl)) + (await electionsOf(second.url));
  const t = traffic(bothLbs, 'calm');
  await sleep(30_000);
  const statuses = await t.stop();
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  assert.deepEqual([...statuses.keys()], ['200'], `every answer 200: ${JSON.stringify([...statuses])}`);
  assert.ok(total > 300, `${total} requests answered`);
  const end = await agreed(bothLbs());
  assert.deepEqual([end.id, end.epoch], [start.id, start.epoch], 'the same leader and epoch');
  assert.equal((await electionsOf(h.lbUrl)) + (await electionsOf(second.url)), elections, 'no election');
});

test('the leader\'s Redis killed: one election in all (not one per LB), both LBs follow it, nothing acknowledged is lost', async () => {
  for (let i = 0; i < 20; i++) assert.equal((await put(`${bothLbs()[i % 2]}/keys/kept:${i}`, `v${i}`)).status, 200);
  const before = await agreed(bothLbs());
  const elections = (await electionsOf(h.lbUrl)) + (await electionsOf(second.url));
  const old = await h.leader();
  await old.redis.kill('SIGKILL');
  await h.waitFor(async () => (await leaderOf(h.lbUrl))?.epoch !== before.epoch && (await leaderOf(second.url))?.epoch !== before.epoch, 20_000, 'a new epoch at both LBs');
  const after = await agreed(bothLbs());
  assert.notEqual(after.id, before.id);
  assert.equal((await electionsOf(h.lbUrl)) + (await electionsOf(second.url)) - elections, 1, 'one election');
  for (let i = 0; i < 20; i++) {
    for (const lb of bothLbs()) assert.equal((await call(`${lb}/keys/kept:${i}`)).body.value, `v${i}`);
  }
  old.redis.start();
  await h.waitFor(async () => (await call(`${h.lbUrl}/health`)).body.clusters.healthy === 3, 20_000, 'the old leader back as a follower');
});

test('elections forced through both LBs at once: every epoch has one leader, every acknowledged write survives', async () => {
  const written = new Map<string, string>();
  for (let round = 0; round < 5; round++) {
    const writes = Array.from({ length: 10 }, (_, i) => `race:${round}:${i}`);
    const [a, b] = await Promise.all([
      postJson(`${h.lbUrl}/election`, {}, { authorization: `Bearer ${ADMIN}` }),
      postJson(`${second.url}/election`, {}, { authorization: `Bearer ${ADMIN}` }),
      ...writes.map(async (k, i) => {
        const r = await put(`${bothLbs()[i % 2]}/keys/${k}`, k).catch(() => null);
        if (r?.status === 200) written.set(k, k);
      }),
    ]);
    assert.ok([a!.status, b!.status].every((s) => s === 200 || s === 503), `election answers ${a!.status}, ${b!.status}`);
    await agreed(bothLbs());
  }
  const leaders = await Promise.all(h.clusters.map((c) => call(`http://127.0.0.1:${c.slavePort}/health`).then((r) => r.body as { epoch: number; role: string })));
  const byEpoch = new Map<number, number>();
  for (const l of leaders) if (l.role === 'leader') byEpoch.set(l.epoch, (byEpoch.get(l.epoch) ?? 0) + 1);
  assert.ok([...byEpoch.values()].every((n) => n === 1), `one leader per epoch: ${JSON.stringify([...byEpoch])}`);
  for (const [k, v] of written) for (const lb of bothLbs()) assert.equal((await call(`${lb}/keys/${k}`)).body.value, v, `${k} through ${lb}`);
});

test('one of two LBs killed: the other answers every request throughout; an LB started late follows the fleet', async () => {
  const before = await agreed(bothLbs());
  const t = traffic(() => [h.lbUrl], 'survivor');
  await sleep(2000);
  second.proc.kill('SIGKILL');
  await sleep(5000);
  const statuses = await t.stop();
  assert.deepEqual([...statuses.keys()], ['200'], `every answer of the surviving LB was 200: ${JSON.stringify([...statuses])}`);
  const elections = await electionsOf(h.lbUrl);
  second = await h.startExtraLb();
  const late = await agreed(bothLbs());
  assert.deepEqual([late.id, late.epoch], [before.id, before.epoch], 'the late LB follows the leader and epoch, no new election');
  assert.equal(await electionsOf(h.lbUrl), elections);
  assert.equal(await electionsOf(second.url), 0, 'the late LB held no election');
});

test('the command-line client takes several LBs and moves on when one does not answer; every LB lists every LB', async () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'client/dist/cli.js'), ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as number) ?? 1 : 0, stdout, stderr }),
      );
    });
  const dead = `http://127.0.0.1:${await freePort()}`;
  assert.equal((await cli(['--lb', `${dead},${second.url}`, 'set', 'cli:multi', 'v1'])).code, 0);
  const got = await cli(['get', 'cli:multi'], { HSCALE_LB: `${dead},${h.lbUrl}` });
  assert.deepEqual([got.code, got.stdout.trim()], [0, 'v1'], got.stderr);
  const none = await cli(['--lb', dead, 'get', 'cli:multi']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /cannot reach any LB/);
  // Every LB names both running LBs (the clusters heard from each; the LB killed in the test
  // before is listed too, until the clusters forget it a minute after its last request).
  const selves = await Promise.all(bothLbs().map(async (lb) => (await call(`${lb}/lbs`)).body.self as string));
  for (const lb of bothLbs()) {
    await h.waitFor(async () => {
      const { lbs } = (await call(`${lb}/lbs`)).body as { lbs: { name: string; clusters: number }[] };
      return selves.every((name) => lbs.find((l) => l.name === name)?.clusters === 3);
    }, 10_000, `${lb} lists both LBs, each heard by the 3 clusters`);
    const { self, lbs } = (await call(`${lb}/lbs`)).body as { self: string; lbs: { name: string }[] };
    assert.equal(lbs[0]!.name, self);
  }
  const listed = await cli(['--lb', h.lbUrl, 'lbs']);
  for (const name of selves) assert.match(listed.stdout, new RegExp(`^${name.replace(/[.]/g, '\\.')} `, 'm'));
});
