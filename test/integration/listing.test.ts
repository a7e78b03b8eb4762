// Listings are exact and ordered (like etcd's and Consul's): keys in byte order, the cursor is the
// last key returned, every key present for the whole listing appears exactly once, a deleted or
// expired key never appears afterwards, and a cursor survives a failover.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Harness, redisClient } from '../helpers/processes.ts';
import { call, del, put } from '../helpers/http.ts';

let h: Harness;
let lb: string;
before(async () => {
  h = await Harness.start(3);
  lb = h.lbUrl;
});
after(() => h?.stopAll());

const hex = (n: number) => n.toString(16).padStart(4, '0');
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function putAll(keys: string[], value = 'v', query = ''): Promise<void> {
  for (let i = 0; i < keys.length; i += 50) {
    const answers = await Promise.all(keys.slice(i, i + 50).map((k) => put(`${lb}/keys/${encodeURIComponent(k)}${query}`, value)));
    assert.ok(answers.every((a) => a.status === 200), 'every setup write acknowledged');
  }
}

interface Page {
  startedAt: number;
  keys: string[];
}

/** Lists a prefix page by page; `between` runs after each page (to inject a fault mid-listing). */
async function listAll(prefix: string, limit: number, between?: (page: number) => Promise<void>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = '';
  do {
    const q = new URLSearchParams({ prefix, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const startedAt = Date.now();
    const r = await call(`${lb}/keys?${q}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.keys.length <= limit);
    pages.push({ startedAt, keys: r.body.keys });
    cursor = r.body.cursor;
    await between?.(pages.length);
  } while (cursor);
  return pages;
}

function assertOrderedOnce(listed: string[]): void {
  for (let i = 1; i < listed.length; i++) {
    assert.ok(byteOrder(listed[i - 1]!, listed[i]!) < 0, `byte order, no repeats: ${listed[i - 1]} then ${listed[i]}`);
  }
}

test('3,000 keys paged 7 at a time while three clients write and delete around them: each appears exactly once, in byte order', async () => {
  const stable = Array.from({ length: 3000 }, (_, i) => `list:${hex(i * 17)}:s`);
  const doomed = Array.from({ length: 300 }, (_, i) => `list:${hex(i * 170 + 3)}:d`);
  await putAll([...stable, ...doomed]);
  const deletedAt = new Map<string, number>(); // doomed key -> when its delete was acknowledged
  let running = true;
  const churn = async (client: number) => {
    for (let n = 0; running; n++) {
      const k = `list:${hex((n * 7919 + client * 104729) % 51000)}:c${client}`;
      assert.equal((await put(`${lb}/keys/${k}`, 'churn')).status, 200);
      if (n % 2 === 1) assert.equal((await del(`${lb}/keys/${k}`)).status, 200);
    }
  };
  const deleter = async () => {
    // Deletes the doomed keys in an order unrelated to the listing's: many of them on pages already listed.
    for (let i = 0; running && i < doomed.length; i++) {
      const k = doomed[(i * 97) % doomed.length]!;
      assert.equal((await del(`${lb}/keys/${k}`)).status, 200);
      deletedAt.set(k, Date.now());
    }
  };
  const clients = Promise.all([churn(1), churn(2), churn(3), deleter()]);
  let pages: Page[];
  try {
    pages = await listAll('list:', 7);
  } finally {
    running = false;
    await clients;
  }
  const listed = pages.flatMap((p) => p.keys);
  assertOrderedOnce(listed);
  const seen = new Set(listed);
  const missing = stable.filter((k) => !seen.has(k));
  assert.deepEqual(missing, [], `${missing.length} keys present for the whole listing were never returned`);
  for (const p of pages) {
    for (const k of p.keys) {
      const at = deletedAt.get(k);
      assert.ok(at === undefined || at >= p.startedAt, `${k} was returned on a page asked for after its delete was acknowledged`);
    }
  }
  console.log(`# listing under churn: ${pages.length} pages, ${listed.length} keys, all ${stable.length} stable keys exactly once, ${deletedAt.size} deletes meanwhile`);
});

test('a cursor survives a failover in the middle of a listing', async () => {
  const keys = Array.from({ length: 400 }, (_, i) => `fo:${hex(i * 31)}`);
  await putAll(keys);
  let failedOver = false;
  const pages = await listAll('fo:', 25, async (page) => {
    if (page !== 5) return;
    const leader = await h.leader();
    const epoch = (await call(`${lb}/leader`)).body.epoch;
    await leader.redis.kill('SIGKILL');
    leader.redis = h.redisProc(leader.redisPort).start();
    await h.waitFor(async () => (await call(`${lb}/leader`)).body.epoch > epoch, 10_000, 'an election mid-listing');
    failedOver = true;
  });
  assert.ok(failedOver);
  const listed = pages.flatMap((p) => p.keys);
  assertOrderedOnce(listed);
  assert.deepEqual(listed, [...keys].sort(byteOrder), 'every key exactly once, across the failover');
});

test('expired keys never appear in a listing; their index entries are pruned', async () => {
  const lasting = Array.from({ length: 20 }, (_, i) => `ttl:${hex(i * 2)}`);
  const shortLived = Array.from({ length: 20 }, (_, i) => `ttl:${hex(i * 2 + 1)}`);
  await putAll(lasting);
  await putAll(shortLived, 'brief', '?ttl=1');
  await h.waitFor(async () => (await call(`${lb}/keys/${shortLived[19]}`)).status === 404, 5000, 'the short-lived keys to expire');
  const listed = (await listAll('ttl:', 6)).flatMap((p) => p.keys);
  assert.deepEqual(listed, lasting);
  const redis = await redisClient((await h.leader()).redisPort);
  try {
    const indexed = await redis.zRangeByLex('\0hs:index', '[ttl:', '(ttl;');
    assert.deepEqual(indexed, lasting, 'the listing dropped the index entries of expired keys');
  } finally {
    await redis.close();
  }
});

test('100,000 keys and a sparse prefix: the listing finds the few matching keys, in order, page by page', async () => {
  // Bulk load straight into the leader with the same function the slaves use (the index is kept
  // by it), then a handful of keys through the LB.
  const leader = await h.leader();
  const epoch = String((await call(`${lb}/leader`)).body.epoch);
  const redis = await redisClient(leader.redisPort);
  try {
    for (let i = 0; i < 100_000; i += 5000) {
      await Promise.all(
        Array.from({ length: 5000 }, (_, j) =>
          redis.sendCommand(['FCALL', 'hs_write_v3', '7', '\0hs:fence', '\0hs:index', '\0hs:expiry', `bulk:${String(i + j).padStart(6, '0')}`, '\0hs:ops', '\0hs:versions', '\0hs:changes', epoch, 'bulk', '1', '', 'set', 'v', '', `bulk-${i + j}`, '']),
        ),
      );
    }
  } finally {
    await redis.close();
  }
  const sparse = ['sparse:a', 'sparse:b', 'sparse:c', 'sparse:d', 'sparse:e'];
  await putAll(sparse);
  const started = Date.now();
  const pages = await listAll('sparse:', 2);
  const ms = Date.now() - started;
  assert.deepEqual(pages.map((p) => p.keys), [['sparse:a', 'sparse:b'], ['sparse:c', 'sparse:d'], ['sparse:e']]);
  const bulk = (await listAll('bulk:', 1000)).flatMap((p) => p.keys);
  assert.equal(bulk.length, 100_000);
  assertOrderedOnce(bulk);
  console.log(`# sparse prefix among 100,000 keys: 3 pages in ${ms} ms`);
});
