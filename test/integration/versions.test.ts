// Versions, compare-and-set, increments, Idempotency-Key, blocking reads and the change stream
// (README "Versions, compare-and-set, increments and watch"), through real LBs, slaves and Redis.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Harness, ROOT, type Proc } from '../helpers/processes.ts';
import { call, del, postJson, put } from '../helpers/http.ts';
import { openWatch } from '../helpers/sse.ts';

let h: Harness;
let lb: string;
let second: { proc: Proc; url: string };
before(async () => {
  h = await Harness.start(3);
  lb = h.lbUrl;
  second = await h.startExtraLb();
  await h.waitFor(async () => (await call(`${second.url}/leader`).catch(() => null))?.body?.available === true, 15_000, 'the second LB follows the leader');
});
after(() => h?.stopAll());

const incr = (key: string, by?: string, headers: Record<string, string> = {}) =>
  call(`${lb}/keys/${key}/incr${by === undefined ? '' : `?by=${encodeURIComponent(by)}`}`, { method: 'POST', headers });

test('every write of a key raises its version; a delete starts it again', async () => {
  assert.deepEqual((await put(`${lb}/keys/ver`, 'a')).body.version, 1);
  assert.deepEqual((await put(`${lb}/keys/ver`, 'b')).body.version, 2);
  const got = await call(`${lb}/keys/ver`);
  assert.equal(got.body.value, 'b');
  assert.equal(got.body.version, 2);
  assert.equal((await del(`${lb}/keys/ver`)).body.deleted, true);
  assert.equal((await put(`${lb}/keys/ver`, 'c')).body.version, 1);
  const batch = await postJson(`${lb}/batch`, { ops: [{ op: 'get', key: 'ver' }] });
  assert.equal(batch.body.results[0].version, 1);
  await put(`${lb}/keys/ver2`, 'x');
  await put(`${lb}/keys/ver2`, 'y');
  const listed = await call(`${lb}/keys?prefix=ver&versions=true`);
  assert.deepEqual([listed.body.keys, listed.body.versions], [['ver', 'ver2'], [1, 2]]);
  assert.equal((await call(`${lb}/keys?prefix=ver`)).body.versions, undefined, 'only when asked');
  assert.equal((await call(`${lb}/keys?versions=maybe`)).status, 400);
});

test('compare-and-set: if_version must be the key\'s version (0 = absent), else 412 with the current one', async () => {
  assert.equal((await put(`${lb}/keys/cas?if_version=0`, 'first')).status, 200);
  const taken = await put(`${lb}/keys/cas?if_version=0`, 'second');
  assert.equal(taken.status, 412);
  assert.equal(taken.body.error, 'version_mismatch');
  assert.equal(taken.body.version, 1);
  assert.equal((await put(`${lb}/keys/cas?if_version=1`, 'second')).body.version, 2);
  assert.equal((await put(`${lb}/keys/cas?if_version=1`, 'third')).status, 412);
  assert.equal((await call(`${lb}/keys/cas`)).body.value, 'second', 'a refused write changed nothing');
  assert.equal((await del(`${lb}/keys/cas?if_version=1`)).status, 412);
  assert.equal((await del(`${lb}/keys/cas?if_version=2`)).body.deleted, true);
  assert.equal((await put(`${lb}/keys/cas?if_version=x`, 'v')).status, 400);
  const batch = await postJson(`${lb}/batch`, {
    ops: [
      { op: 'set', key: 'cas', value: 'b1', if_version: 0 },
      { op: 'set', key: 'cas', value: 'b2', if_version: 5 },
      { op: 'del', key: 'cas', if_version: -1 },
    ],
  });
  assert.deepEqual(batch.body.results.map((r: { status: number }) => r.status), [200, 412, 400]);
});

test('increments: signed 64-bit, exact past 2^53; a value that is no integer is 409', async () => {
  assert.equal((await incr('n')).body.value, '1');
  assert.equal((await incr('n', '-5')).body.value, '-4');
  assert.equal((await incr('n')).body.version, 3);
  await put(`${lb}/keys/big`, '9007199254740993');
  assert.equal((await incr('big', '2')).body.value, '9007199254740995');
  await put(`${lb}/keys/max`, '9223372036854775807');
  const over = await incr('max');
  assert.equal(over.status, 409);
  assert.equal(over.body.error, 'integer_overflow');
  await put(`${lb}/keys/text`, 'hello');
  const text = await incr('text');
  assert.equal(text.status, 409);
  assert.equal(text.body.error, 'not_an_integer');
  for (const bad of ['1.5', 'ten', '9223372036854775808', '-9223372036854775809']) {
    const r = await incr('n', bad);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error, 'invalid_increment');
  }
  assert.equal((await incr('min', '-9223372036854775808')).body.value, '-9223372036854775808');
  assert.equal((await incr('min', '-1')).body.error, 'integer_overflow');
  // A TTL survives an increment; a new counter has none.
  await put(`${lb}/keys/ttl-counter?ttl=100`, '7');
  await incr('ttl-counter');
  assert.ok((await call(`${lb}/keys/ttl-counter`)).body.ttl > 90);
  const batch = await postJson(`${lb}/batch`, { ops: [{ op: 'incr', key: 'bn', by: '10' }, { op: 'incr', key: 'bn' }] });
  // The operations of a batch run concurrently: either order, one of them leaves 11.
  const values = batch.body.results.map((r: { value: string }) => r.value).sort();
  assert.ok(['1,11', '10,11'].includes(values.join()), values.join());
  assert.equal((await call(`${lb}/keys/bn`)).body.value, '11');
});

test('an Idempotency-Key makes a repeated write one write, through either LB', async () => {
  const headers = { 'idempotency-key': 'incr-once-1' };
  const a = await incr('once', '5', headers);
  const b = await call(`${second.url}/keys/once/incr?by=5`, { method: 'POST', headers });
  assert.equal(a.body.value, '5');
  assert.deepEqual(b.body, a.body);
  assert.equal((await call(`${lb}/keys/once`)).body.value, '5');
  const cas = { method: 'PUT', body: 'x', headers: { 'idempotency-key': 'cas-once-1' } };
  assert.equal((await call(`${lb}/keys/once-cas?if_version=0`, cas)).status, 200);
  assert.equal((await call(`${lb}/keys/once-cas?if_version=0`, cas)).status, 200, 'a repeat of a successful compare-and-set is not a 412');
  assert.equal((await call(`${lb}/keys/once`, { method: 'PUT', body: 'x', headers: { 'idempotency-key': 'bad key with spaces' } })).status, 400);
});

test('a blocking read answers when the version changes, or at its timeout', async () => {
  await put(`${lb}/keys/wait`, 'v1');
  const t0 = Date.now();
  const waiting = call(`${second.url}/keys/wait?wait_version=1&timeout=20`);
  await new Promise((r) => setTimeout(r, 300));
  await put(`${lb}/keys/wait`, 'v2');
  const got = await waiting;
  assert.equal(got.status, 200);
  assert.equal(got.body.value, 'v2');
  assert.equal(got.body.version, 2);
  assert.ok(Date.now() - t0 < 10_000, 'answered at the change, not at the timeout');
  const t1 = Date.now();
  const idle = await call(`${lb}/keys/wait?wait_version=2&timeout=1`);
  assert.equal(idle.body.version, 2);
  assert.ok(Date.now() - t1 >= 900, 'waited for the timeout');
  assert.equal((await call(`${lb}/keys/wait?wait_version=1`)).body.version, 2, 'a stale version answers at once');
  const gone = call(`${lb}/keys/wait?wait_version=2&timeout=20`);
  await new Promise((r) => setTimeout(r, 300));
  await del(`${lb}/keys/wait`);
  assert.equal((await gone).status, 404);
  assert.equal((await call(`${lb}/keys/wait?wait_version=1&timeout=61`)).status, 400);
});

test('GET /watch streams every change under a prefix, through another LB, and resumes from Last-Event-ID', async () => {
  const w = openWatch(`${second.url}/watch?prefix=feed:`);
  await h.waitFor(async () => w.events.some((e) => e.event === 'ready'), 10_000, 'the watch to start');
  for (let i = 1; i <= 5; i++) await put(`${lb}/keys/feed:a`, `v${i}`);
  await put(`${lb}/keys/other`, 'not watched');
  await del(`${lb}/keys/feed:a`);
  await incr('feed:n');
  await put(`${lb}/keys/feed:big`, 'x'.repeat(2000));
  await h.waitFor(async () => w.changes().length >= 8, 10_000, 'eight changes');
  await w.close();
  const seen = w.changes();
  assert.deepEqual(seen.slice(0, 5).map((c) => [c.key, c.version, c.value]), [1, 2, 3, 4, 5].map((v) => ['feed:a', v, `v${v}`]));
  assert.deepEqual(seen[5], { key: 'feed:a', version: 0, deleted: true, reason: 'deleted' });
  assert.deepEqual(seen[6], { key: 'feed:n', version: 1, value: '1' });
  assert.deepEqual(seen[7], { key: 'feed:big', version: 1, value_omitted: true }, 'a value over 1 KiB is not copied into the stream');
  // Resume after the third change: exactly the ones after it.
  const third = w.events.filter((e) => e.event === 'change')[2]!.id!;
  const r = openWatch(`${lb}/watch?prefix=feed:`, { 'last-event-id': third });
  await h.waitFor(async () => r.changes().length >= 5, 10_000, 'the resumed stream');
  await r.close();
  assert.deepEqual(r.changes().map((c) => c.version), [4, 5, 0, 1, 1]);
  // A position that history does not have: told to list again.
  const lost = openWatch(`${lb}/watch`, { 'last-event-id': '99999999999999-0' });
  await h.waitFor(async () => lost.events.some((e) => e.event === 'reset'), 10_000, 'a reset event');
  await lost.close();
  assert.equal((await call(`${lb}/watch`, { headers: { 'last-event-id': 'garbage' } })).status, 400);
});

const CLI = path.join(ROOT, 'client/dist/cli.js');
const cli = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, '--lb', lb, ...args], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });

test('the CLI: cas (exit 3 on a version mismatch), incr, and watch resuming through the next LB', async () => {
  assert.match((await cli(['cas', 'cli:c', '0', 'first'])).stdout, /stored as version 1/);
  const refused = await cli(['cas', 'cli:c', '0', 'again']);
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /at version 1, not 0/);
  assert.equal((await cli(['incr', 'cli:n', '41'])).stdout.trim(), '41');
  assert.equal((await cli(['incr', 'cli:n'])).stdout.trim(), '42');
  assert.match((await cli(['get', 'cli:n'])).stderr, /version 2/);
  // watch through an LB that is then killed: it resumes through the other one.
  const extra = await h.startExtraLb();
  await h.waitFor(async () => (await call(`${extra.url}/leader`).catch(() => null))?.body?.available === true, 15_000, 'the extra LB follows the leader');
  const watcher = spawn(process.execPath, [CLI, '--lb', `${extra.url},${lb}`, 'watch', '--prefix', 'cli:w'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  watcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    // Written until the watch has started and printed one.
    await h.waitFor(async () => (await put(`${lb}/keys/cli:w`, 'before')).status === 200 && out.includes('before'), 15_000, 'the watch to print a change');
    await extra.proc.kill('SIGKILL');
    await put(`${lb}/keys/cli:w`, 'after');
    await h.waitFor(async () => out.includes('"after"'), 15_000, 'the watch to resume through the other LB');
  } finally {
    watcher.kill();
  }
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { key: string; version: number; value: string });
  // The watch starts "from now": the first version it shows is whatever was written next.
  assert.deepEqual(lines.map((l) => l.version), lines.map((_, i) => lines[0]!.version + i), 'every version once, in order, across the LB failure');
  assert.equal(lines.at(-1)!.value, 'after');
});
