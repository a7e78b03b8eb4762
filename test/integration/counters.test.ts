// Step 10's promises under faults, through two LBs: 8 clients add 1 to a counter 500 times with
// incr and 8 others with a read + compare-and-set loop; both end at exactly 4,000 although the
// leader's Redis is killed and a follower's paused in the middle. And a watcher sees every version
// of a key that 3 writers change 1,000 times, in order, none missing, across a failover.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Harness, sleep, type Proc } from '../helpers/processes.ts';
import { call, type Answer } from '../helpers/http.ts';
import { openWatch } from '../helpers/sse.ts';

let h: Harness;
let lbs: string[];
let second: { proc: Proc; url: string };
before(async () => {
  h = await Harness.start(3);
  second = await h.startExtraLb();
  lbs = [h.lbUrl, second.url];
  await h.waitFor(async () => (await call(`${second.url}/leader`).catch(() => null))?.body?.available === true, 15_000, 'the second LB follows the leader');
});
after(() => h?.stopAll());

const CLIENTS = 8;
const ROUNDS = 500;
const OP_DEADLINE_MS = 60_000;

/**
 * Sends one request until it gets a definite answer (not a 5xx, not a network error), through the
 * LBs in turn. The same Idempotency-Key every time: if an attempt was applied, a later one answers
 * what it did and applies nothing again.
 */
async function definite(client: number, path: string, init: RequestInit, idempotencyKey: string): Promise<Answer> {
  const deadline = Date.now() + OP_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    const lb = lbs[(client + attempt) % lbs.length]!;
    const r = await call(`${lb}${path}`, { ...init, headers: { 'idempotency-key': idempotencyKey } }).catch(() => null);
    if (r && r.status < 500) return r;
    if (Date.now() > deadline) throw new Error(`no definite answer to ${init.method} ${path} in ${OP_DEADLINE_MS} ms (last: ${r?.status})`);
    await sleep(50);
  }
}

async function readCounter(client: number, key: string): Promise<{ n: number; version: number }> {
  const deadline = Date.now() + OP_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    const r = await call(`${lbs[(client + attempt) % lbs.length]}/keys/${key}`).catch(() => null);
    if (r?.status === 404) return { n: 0, version: 0 };
    if (r?.status === 200) return { n: Number(r.body.value), version: r.body.version };
    if (Date.now() > deadline) throw new Error(`could not read ${key}`);
    await sleep(50);
  }
}

/** Kills the leader's Redis, waits for a new leader, brings the old one back; then pauses a follower's Redis. */
async function faults(progress: () => number, total: number) {
  await h.waitFor(async () => progress() >= total / 3, 120_000, 'a third of the work');
  const old = await h.leader();
  await old.redis.kill('SIGKILL');
  await h.waitFor(async () => (await h.leader().catch(() => null))?.id !== old.id, 20_000, 'a new leader');
  old.redis = h.redisProc(old.redisPort).start();
  await h.waitFor(async () => progress() >= (2 * total) / 3, 120_000, 'two thirds of the work');
  const leader = await h.leader();
  const follower = h.clusters.find((c) => c.id !== leader.id)!;
  follower.redis.pause();
  await sleep(1500);
  follower.redis.resume();
}

test('16 clients, two LBs, a leader killed and a follower paused: incr and compare-and-set counters end at exactly 4,000', async () => {
  let done = 0;
  let conflicts = 0;
  const incrClient = async (c: number) => {
    for (let i = 0; i < ROUNDS; i++) {
      const r = await definite(c, '/keys/count:incr/incr', { method: 'POST' }, `incr-${c}-${i}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      done++;
    }
  };
  const casClient = async (c: number) => {
    for (let i = 0; i < ROUNDS; i++) {
      for (let attempt = 0; ; attempt++) {
        const { n, version } = await readCounter(c, 'count:cas');
        const r = await definite(c, `/keys/count:cas?if_version=${version}`, { method: 'PUT', body: String(n + 1) }, `cas-${c}-${i}-${attempt}`);
        if (r.status === 200) break;
        assert.equal(r.status, 412, JSON.stringify(r.body));
        conflicts++;
      }
      done++;
    }
  };
  const work = Promise.all([
    ...Array.from({ length: CLIENTS }, (_, c) => incrClient(c)),
    ...Array.from({ length: CLIENTS }, (_, c) => casClient(c)),
  ]);
  const t0 = Date.now();
  await Promise.all([work, faults(() => done, 2 * CLIENTS * ROUNDS)]);
  const incr = await readCounter(0, 'count:incr');
  const cas = await readCounter(0, 'count:cas');
  console.log(`# counters: ${done} increments in ${Date.now() - t0} ms, ${conflicts} compare-and-set conflicts; incr ${incr.n} (version ${incr.version}), cas ${cas.n} (version ${cas.version})`);
  assert.equal(incr.n, CLIENTS * ROUNDS);
  assert.equal(cas.n, CLIENTS * ROUNDS);
  assert.equal(incr.version, CLIENTS * ROUNDS, 'one version per increment');
  assert.equal(cas.version, CLIENTS * ROUNDS);
});

test('a watcher sees every version of a key 3 writers change 1,000 times, in order, across a failover', async () => {
  const w = openWatch(`${second.url}/watch?prefix=watched`);
  await h.waitFor(async () => w.events.some((e) => e.event === 'ready'), 10_000, 'the watch to start');
  const acked = new Map<number, string>(); // version -> value, from the writes' answers
  let writes = 0;
  const writer = async (c: number) => {
    for (let i = 0; writes < 1000; i++) {
      writes++;
      const value = `w${c}:${i}`;
      const r = await definite(c, '/keys/watched', { method: 'PUT', body: value }, `watched-${c}-${i}`);
      assert.equal(r.status, 200);
      acked.set(r.body.version, value);
    }
  };
  await Promise.all([writer(0), writer(1), writer(2), faults(() => writes, 1000)]);
  const finalVersion = (await call(`${h.lbUrl}/keys/watched`)).body.version as number;
  await h.waitFor(async () => w.changes().at(-1)?.version === finalVersion, 30_000, `the watcher to reach version ${finalVersion}`);
  await w.close();
  const resets = w.events.filter((e) => e.event === 'reset').length;
  const versions = w.changes().map((c) => c.version);
  console.log(`# watch: ${versions.length} changes seen, final version ${finalVersion}, ${acked.size} acknowledged writes, ${resets} resets`);
  assert.equal(resets, 0, 'nothing was trimmed: no reset');
  assert.deepEqual(versions, Array.from({ length: finalVersion }, (_, i) => i + 1), 'every version once, in order');
  const byVersion = new Map(w.changes().map((c) => [c.version, c.value]));
  for (const [version, value] of acked) assert.equal(byVersion.get(version), value, `acknowledged write of version ${version}`);
  assert.ok(finalVersion >= 1000);
});
