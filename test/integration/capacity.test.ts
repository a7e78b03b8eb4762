// A bounded cache. Each Redis has a memory bound (MAX_MEMORY, here 64 MiB) and a policy for when
// it is reached (EVICTION):
// - none: a write that does not fit gets 507 store_full; nothing acknowledged is evicted, nothing
//   restarts, no election happens; deleting keys makes room again;
// - lru: writes keep succeeding, the least recently used user keys make room (counted in
//   /metrics), the internal keys the guarantees rest on stay, and the followers hold the same
//   keys as the leader, also after one of them restarts while the store is full.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Harness, redisClient } from '../helpers/processes.ts';
import { call, del, put } from '../helpers/http.ts';

const MiB = 1024 * 1024;
const value = (i: number) => `${i}:`.padEnd(MiB, 'v');

async function dbsize(port: number): Promise<number> {
  const c = await redisClient(port);
  try {
    return Number(await c.sendCommand(['DBSIZE']));
  } finally {
    await c.quit();
  }
}

describe('EVICTION=none', () => {
  let h: Harness;
  after(() => h?.stopAll());

  test('filled with 1 MiB values: later writes get 507, nothing is lost or restarted, no election; deleting makes room', async () => {
    h = await Harness.start(2, { redis: { MAX_MEMORY: '64mb', EVICTION: 'none' } });
    const before = (await call(`${h.lbUrl}/leader`)).body;
    const acked: number[] = [];
    let full: { status: number; body: any } | null = null;
    for (let i = 0; i < 200 && !full; i++) {
      const r = await put(`${h.lbUrl}/keys/fill:${i}`, value(i));
      if (r.status === 200) acked.push(i);
      else full = r;
    }
    console.log(`# EVICTION=none, MAX_MEMORY=64mb: ${acked.length} values of 1 MiB stored, then ${full?.status}`);
    assert.ok(full, 'the store never filled up');
    assert.equal(full.status, 507, JSON.stringify(full.body));
    assert.equal(full.body.error, 'store_full');
    assert.match(full.body.message, /not applied/);
    assert.ok(acked.length >= 20, `only ${acked.length} values fit in 64 MiB`);
    assert.equal((await put(`${h.lbUrl}/keys/fill:again`, value(0))).status, 507, 'still full');
    // Small writes, deletes, reads and listings still work; nothing acknowledged is gone.
    for (const i of acked) assert.equal((await call(`${h.lbUrl}/keys/fill:${i}`)).body.value, value(i), `fill:${i}`);
    assert.equal((await call(`${h.lbUrl}/keys?prefix=fill:&limit=1000`)).body.keys.length, acked.length);
    const after = (await call(`${h.lbUrl}/leader`)).body;
    assert.deepEqual([after.id, after.epoch], [before.id, before.epoch], 'no election');
    assert.ok(h.procs.every((p) => p.running), 'no process died');

    for (const i of acked.slice(0, 5)) assert.equal((await del(`${h.lbUrl}/keys/fill:${i}`)).body.deleted, true);
    await h.waitFor(async () => (await put(`${h.lbUrl}/keys/fill:after-delete`, value(1))).status === 200, 5000, 'a write to fit after deleting');
    const servers = (await call(`${h.lbUrl}/servers`)).body as { redis: { memory: { used: number; max: number; policy: string } } }[];
    for (const s of servers) assert.deepEqual([s.redis.memory.max, s.redis.memory.policy], [64 * MiB, 'noeviction']);
  });
});

describe('EVICTION=lru', () => {
  let h: Harness;
  after(() => h?.stopAll());

  test('three times the bound in writes: all succeed, old keys are evicted and counted, followers match, internal keys stay', async () => {
    h = await Harness.start(2, { redis: { MAX_MEMORY: '64mb', EVICTION: 'lru' } });
    for (let i = 0; i < 200; i++) assert.equal((await put(`${h.lbUrl}/keys/lru:${i}`, value(i))).status, 200, `lru:${i}`);
    assert.equal((await call(`${h.lbUrl}/keys/lru:199`)).body.value, value(199), 'the newest key is there');
    const leader = await h.leader();
    const follower = h.clusters.find((c) => c !== leader)!;
    const kept = await dbsize(leader.redisPort);
    console.log(`# EVICTION=lru, MAX_MEMORY=64mb: 200 values of 1 MiB written, ${kept} keys held (internal keys included)`);
    assert.ok(kept < 100, `${kept} keys: nothing was evicted`);

    // The bound holds, and the evictions show in /servers and /metrics (after the next probes).
    await h.waitFor(async () => {
      const s = (await call(`${h.lbUrl}/servers`)).body.find((x: any) => x.id === leader.id);
      return s.redis.memory.evictedKeys > 0 && s.redis.memory.used <= s.redis.memory.max * 1.05;
    }, 10_000, 'the leader to report evictions and memory under its bound');
    await h.waitFor(async () => /lb_redis_evicted_keys_total\{cluster="[^"]+"\} [1-9]/.test((await call(`${h.lbUrl}/metrics`)).body), 10_000, '/metrics to count evictions');

    // Only user keys can be evicted: every one has a TTL, no internal key has one.
    const r = await redisClient(leader.redisPort);
    try {
      assert.equal(Number(await r.sendCommand(['TTL', '\0hs:fence'])), -1);
      assert.equal(Number(await r.sendCommand(['TTL', '\0hs:index'])), -1);
      for (const b of (await r.sendCommand(['ZRANGE', '\0hs:ops', '0', '-1'])) as string[]) {
        // -1: no TTL; -2: dropped by the sweep meanwhile.
        assert.ok([-1, -2].includes(Number(await r.sendCommand(['TTL', `\0hs:ops:${b}`]))), `op bucket ${b} has a TTL`);
      }
      // Evicted keys leave their index entries behind; the leader's sweep finds and drops them, so
      // the index shrinks back to the keys that exist (a listing never returns an evicted key).
      await h.waitFor(async () => {
        const indexed = Number(await r.sendCommand(['ZCARD', '\0hs:index']));
        const existing = ((await r.sendCommand(['KEYS', 'lru:*'])) as string[]).length;
        return indexed === existing;
      }, 10_000, 'the index to hold exactly the keys that exist');
    } finally {
      await r.quit();
    }
    // The follower holds the same keys, also after its Redis restarts while the store is full.
    await h.waitFor(async () => (await dbsize(follower.redisPort)) === (await dbsize(leader.redisPort)), 10_000, 'the follower to hold as many keys as the leader');
    await follower.redis.kill('SIGKILL');
    follower.redis = h.redisProc(follower.redisPort).start();
    await h.waitFor(async () => {
      const c = await redisClient(follower.redisPort);
      try {
        const info = String(await c.sendCommand(['INFO', 'replication']));
        return /master_link_status:up/.test(info) && Number(await c.sendCommand(['DBSIZE'])) === (await dbsize(leader.redisPort));
      } finally {
        await c.quit();
      }
    }, 20_000, 'the restarted follower to re-sync the full store');
    assert.equal((await put(`${h.lbUrl}/keys/lru:after-resync`, value(7))).status, 200);
  });
});
