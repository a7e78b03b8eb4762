// Every key-value route and alias through the LB, with 3 real clusters (redis-server + slave).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Harness, ROOT, sleep } from '../helpers/processes.ts';
import { call, del, postJson, put } from '../helpers/http.ts';

let h: Harness;
let lb: string;
before(async () => {
  h = await Harness.start(3);
  lb = h.lbUrl;
});
after(() => h?.stopAll());

describe('key-value routes', () => {
  test('PUT, GET, DELETE on /keys/{key}', async () => {
    const w = await put(`${lb}/keys/greeting`, 'hello world');
    assert.equal(w.status, 200);
    assert.equal(w.body.key, 'greeting');
    assert.equal(w.body.durability, 'replica', 'with followers alive a write is held by one of them');
    const r = await call(`${lb}/keys/greeting`);
    assert.deepEqual(r.body, { key: 'greeting', value: 'hello world', ttl: null, version: 1 });
    assert.deepEqual((await del(`${lb}/keys/greeting`)).body, { key: 'greeting', deleted: true, durability: 'replica' });
    assert.equal((await del(`${lb}/keys/greeting`)).body.deleted, false);
    const gone = await call(`${lb}/keys/greeting`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error, 'key_not_found');
  });

  test('keys and values with unicode, spaces and slashes round-trip', async () => {
    const key = 'dir/sub file:ünïcødé ✓';
    const value = 'multi\nline\tvalue ✓ 🚀';
    assert.equal((await put(`${lb}/keys/${encodeURIComponent(key)}`, value)).status, 200);
    assert.equal((await call(`${lb}/keys/${encodeURIComponent(key)}`)).body.value, value);
  });

  test('the seed aliases: POST /set (JSON and form), GET /get, GET /list-keys, DELETE /delete', async () => {
    assert.equal((await postJson(`${lb}/set`, { key: 'alias:json', value: 'j', ttl: 100 })).status, 200);
    const form = await call(`${lb}/set`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=alias%3Aform&value=f+v' });
    assert.equal(form.status, 200);
    const j = await call(`${lb}/get/alias:json`);
    assert.equal(j.body.value, 'j');
    assert.ok(j.body.ttl > 90 && j.body.ttl <= 100);
    assert.equal((await call(`${lb}/get/alias:form`)).body.value, 'f v');
    const listed = await call(`${lb}/list-keys?prefix=alias:`);
    assert.deepEqual(listed.body.keys.sort(), ['alias:form', 'alias:json']);
    assert.equal(listed.body.cursor, null);
    assert.equal((await del(`${lb}/delete/alias:form`)).body.deleted, true);
    assert.equal((await call(`${lb}/get/alias:form`)).status, 404);
  });

  test('TTL: reported while alive, the key expires after it', async () => {
    await put(`${lb}/keys/short-lived?ttl=1`, 'x');
    const r = await call(`${lb}/keys/short-lived`);
    assert.equal(r.status, 200);
    assert.ok(r.body.ttl === 1 || r.body.ttl === 0, `ttl ${r.body.ttl}`);
    await sleep(2200);
    assert.equal((await call(`${lb}/keys/short-lived`)).status, 404);
  });

  test('listing 300 keys page by page: none missing, none repeated, limit honoured', async () => {
    const want = new Set<string>();
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(Array.from({ length: 30 }, (_, j) => {
        const k = `page:${String(i + j).padStart(3, '0')}`;
        want.add(k);
        return put(`${lb}/keys/${k}`, 'v');
      }));
    }
    await put(`${lb}/keys/other:1`, 'not in the prefix');
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    do {
      const q = new URLSearchParams({ prefix: 'page:', limit: '37', ...(cursor ? { cursor } : {}) });
      const r = await call(`${lb}/keys?${q}`);
      assert.equal(r.status, 200);
      assert.ok(r.body.keys.length <= 37);
      seen.push(...r.body.keys);
      cursor = r.body.cursor;
      pages++;
      assert.ok(pages < 50, 'listing does not end');
    } while (cursor);
    assert.equal(seen.length, 300, 'no key repeated');
    assert.deepEqual(new Set(seen), want, 'no key missing');
    assert.ok(pages >= 9, `${pages} pages of at most 37`);
  });
});

describe('POST /batch', () => {
  test('each operation gets its own result, in order; a bad one fails alone', async () => {
    // The operations of one batch run concurrently (like separate requests), so a read next to a
    // write of the same key may see either value: the writes go first, in a batch of their own.
    const writes = await postJson(`${lb}/batch`, {
      ops: [
        { op: 'set', key: 'batch:a', value: 'A', ttl: 60 },
        { op: 'set', key: '', value: 'x' },
        { op: 'set', key: 'batch:b', value: 'B' },
        { op: 'frobnicate', key: 'batch:a' },
      ],
    });
    assert.equal(writes.status, 200);
    assert.equal(writes.body.results.length, 4);
    const [setA, empty, setB, unknown] = writes.body.results;
    assert.deepEqual(setA, { status: 200, key: 'batch:a', ttl: 60, version: 1, durability: 'replica' });
    assert.deepEqual([empty.status, empty.error], [400, 'invalid_key']);
    assert.equal(setB.status, 200);
    assert.deepEqual([unknown.status, unknown.error], [400, 'invalid_op']);

    const reads = await postJson(`${lb}/batch`, {
      ops: [
        { op: 'get', key: 'batch:a' },
        { op: 'get', key: 'batch:missing' },
        { op: 'del', key: 'batch:b' },
      ],
    });
    assert.equal(reads.status, 200);
    const [getA, missing, delB] = reads.body.results;
    assert.equal(getA.value, 'A');
    assert.ok(getA.ttl > 50 && getA.ttl <= 60);
    assert.deepEqual([missing.status, missing.error], [404, 'key_not_found']);
    assert.deepEqual([delB.status, delB.deleted], [200, true]);
    assert.equal((await call(`${lb}/keys/batch:b`)).status, 404);
  });

  test('more than 1,000 operations, or no ops array, is refused as a whole', async () => {
    const big = await postJson(`${lb}/batch`, { ops: Array.from({ length: 1001 }, (_, i) => ({ op: 'get', key: `k${i}` })) });
    assert.deepEqual([big.status, big.body.error], [413, 'batch_too_large']);
    const bad = await postJson(`${lb}/batch`, { operations: [] });
    assert.deepEqual([bad.status, bad.body.error], [400, 'malformed_body']);
  });

  test('the command-line client sends JSON lines from standard input as batches', async () => {
    const input = [...Array.from({ length: 1200 }, (_, i) => JSON.stringify({ op: 'set', key: `cli-batch:${i}`, value: `v${i}` })), JSON.stringify({ op: 'get', key: 'cli-batch:0' })].join('\n');
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'client/dist/cli.js'), '--lb', lb, 'batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(input);
    });
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1201);
    assert.ok(lines.slice(0, 1200).every((l) => l.status === 200));
    assert.equal(lines[1200].value, 'v0', 'written by the first batch of 1,000, read in the second');
  });
});

describe('bad input gets a clear 4xx JSON error and changes nothing', () => {
  const cases: { name: string; send: () => Promise<{ status: number; body: any }>; status: number; error: string }[] = [
    { name: 'empty key (PUT /keys/)', send: () => put(`${lb}/keys/`, 'v'), status: 400, error: 'invalid_key' },
    { name: 'empty key (POST /set)', send: () => postJson(`${lb}/set`, { key: '', value: 'v' }), status: 400, error: 'invalid_key' },
    { name: '513-byte key', send: () => put(`${lb}/keys/${'k'.repeat(513)}`, 'v'), status: 400, error: 'invalid_key' },
    { name: 'control character in key', send: () => put(`${lb}/keys/bad%0Akey`, 'v'), status: 400, error: 'invalid_key' },
    { name: 'NUL in key', send: () => put(`${lb}/keys/bad%00key`, 'v'), status: 400, error: 'invalid_key' },
    { name: 'value of 1 MiB + 1 byte', send: () => put(`${lb}/keys/big`, Buffer.alloc(1024 * 1024 + 1, 97)), status: 413, error: 'value_too_large' },
    { name: 'value that is not UTF-8', send: () => put(`${lb}/keys/bin`, Buffer.from([0xc3, 0x28])), status: 400, error: 'invalid_value' },
    { name: 'ttl not a number', send: () => put(`${lb}/keys/t?ttl=soon`, 'v'), status: 400, error: 'invalid_ttl' },
    { name: 'ttl zero', send: () => put(`${lb}/keys/t?ttl=0`, 'v'), status: 400, error: 'invalid_ttl' },
    { name: 'ttl negative (JSON)', send: () => postJson(`${lb}/set`, { key: 't', value: 'v', ttl: -5 }), status: 400, error: 'invalid_ttl' },
    { name: 'malformed JSON', send: () => call(`${lb}/set`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key": "t", ' }), status: 400, error: 'malformed_body' },
    { name: 'form without value', send: () => call(`${lb}/set`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=t' }), status: 400, error: 'invalid_value' },
    { name: 'body of an unknown type', send: () => call(`${lb}/set`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'key=t' }), status: 400, error: 'malformed_body' },
    { name: 'broken percent-encoding', send: () => put(`${lb}/keys/%E0%A4%A`, 'v'), status: 400, error: 'malformed_url' },
    { name: 'limit too large', send: () => call(`${lb}/keys?limit=1001`), status: 400, error: 'invalid_limit' },
    { name: 'cursor not from a listing', send: () => call(`${lb}/keys?cursor=abc`), status: 400, error: 'invalid_cursor' },
    { name: 'unknown route', send: () => call(`${lb}/no/such/route`), status: 404, error: 'not_found' },
    { name: 'wrong method', send: () => call(`${lb}/keys/t`, { method: 'PATCH', body: 'v' }), status: 405, error: 'method_not_allowed' },
    { name: 'wrong method on an alias', send: () => call(`${lb}/set`), status: 405, error: 'method_not_allowed' },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const before = (await call(`${lb}/keys?limit=1000`)).body.keys.sort();
      const r = await c.send();
      assert.equal(r.status, c.status, JSON.stringify(r.body));
      assert.equal(r.body.error, c.error);
      assert.equal(typeof r.body.message, 'string');
      assert.ok(r.body.message.length > 10, 'a message a person understands');
      const afterKeys = (await call(`${lb}/keys?limit=1000`)).body.keys.sort();
      assert.deepEqual(afterKeys, before, 'nothing changed');
    });
  }

  test('405 answers say which methods are allowed', async () => {
    const r = await fetch(`${lb}/keys/t`, { method: 'POST' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, PUT, DELETE');
  });
});

describe('system routes', () => {
  test('/health, /ready, /leader, /servers describe the cluster', async () => {
    const health = await call(`${lb}/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    assert.deepEqual(health.body.clusters, { total: 3, healthy: 3 });
    assert.equal((await call(`${lb}/ready`)).status, 200);
    const leader = await call(`${lb}/leader`);
    assert.ok(leader.body.epoch >= 1);
    const servers = await call(`${lb}/servers`);
    assert.equal(servers.body.length, 3);
    for (const s of servers.body) {
      for (const f of ['id', 'address', 'port', 'healthy', 'role', 'failures', 'source']) assert.ok(f in s, `field ${f}`);
      assert.equal(s.source, 'static');
    }
    assert.deepEqual(servers.body.filter((s: any) => s.role === 'leader').map((s: any) => s.id), [leader.body.id]);
  });

  test('POST /election needs the admin token and moves the epoch forward', async () => {
    assert.equal((await call(`${lb}/election`, { method: 'POST' })).status, 401);
    const before = (await call(`${lb}/leader`)).body.epoch;
    const r = await call(`${lb}/election`, { method: 'POST', headers: { authorization: 'Bearer test-admin-token' } });
    assert.equal(r.status, 200);
    assert.ok(r.body.epoch > before);
    assert.equal((await put(`${lb}/keys/after-election`, 'ok')).status, 200);
  });

  test('/metrics is Prometheus text; / is the dashboard', async () => {
    const m = await call(`${lb}/metrics`);
    assert.match(m.body, /# TYPE lb_http_request_duration_seconds histogram/);
    assert.match(m.body, /lb_clusters\{state="healthy"\} 3/);
    const d = await call(`${lb}/`);
    assert.match(d.body, /<title>hscale dashboard<\/title>/);
  });
});
