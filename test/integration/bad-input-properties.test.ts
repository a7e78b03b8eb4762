// Property-based bad input (fast-check): hundreds of generated malformed requests against the LB,
// of every kind a client can get wrong (keys, values, TTLs, cursors, limits, methods, routes,
// bodies, encodings, render parameters, raw HTTP that is not HTTP). Each must get a 4xx JSON
// answer with a message; the LB must not crash, its memory and /metrics must stay bounded, and
// nothing stored before the run, or aimed at by a refused write, may change.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Harness } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';

let h: Harness;
before(async () => {
  h = await Harness.start(2);
});
after(() => h?.stopAll());

interface BadRequest {
  what: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

// Pieces that make a request certainly wrong.
const hex = (n: number) => `%${n.toString(16).padStart(2, '0').toUpperCase()}`;
const controlChar = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.constant(0x7f)).map(hex);
const text = fc.string({ maxLength: 20 }).map(encodeURIComponent);
/** A key the LB must refuse: a control character, bad percent-encoding, invalid UTF-8, or over 512 bytes. */
const badKeyInQuery = fc.oneof(
  fc.tuple(text, controlChar, text).map((p) => p.join('')),
  fc.tuple(text, fc.constantFrom('%C3', '%E2%82', '%FF', '%C0%AF', '%ED%A0%80'), text).map((p) => p.join('')),
  fc.integer({ min: 513, max: 4000 }).map((n) => 'k'.repeat(n)),
);
// In a path, a broken percent-escape is an error too (a query string decodes it leniently, as browsers do).
const badKey = fc.oneof(badKeyInQuery, fc.tuple(text, fc.constantFrom('%', '%Z', '%ZZ', '%G1', '%%'), text).map((p) => p.join('')));
const writeKey = fc.integer({ min: 0, max: 1e9 }).map((n) => `pbt-w-${n}`);
const badTtl = fc.oneof(
  fc.integer({ min: -1e9, max: 0 }).map(String),
  fc.integer({ min: 315_360_001, max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.constantFrom('abc', '1.5', '1e5', '0x10', ' ', '-', '+5', 'NaN', 'Infinity', '١٢'),
  fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/^\s*\d+\s*$/.test(s)),
).map(encodeURIComponent);
const badLimit = fc.oneof(
  fc.integer({ min: -1e6, max: 0 }).map(String),
  fc.integer({ min: 1001, max: 1e12 }).map(String),
  fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^\d+$/.test(s)),
).map(encodeURIComponent);
const badCursor = fc.oneof(
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('!', '.', '=', '+', '/', ' ', '~', '*', 'é'), fc.string({ maxLength: 20 })).map((p) => p.join('')),
  fc.integer({ min: 701, max: 3000 }).map((n) => 'A'.repeat(n)),
  fc.constantFrom('99999999999999999999-0', 'AA', 'AAA', '_w', Buffer.from('a\u0000b').toString('base64url')),
).map(encodeURIComponent);
const badNumber = (max: number) =>
  fc.oneof(fc.integer({ min: -1e6, max: 0 }).map(String), fc.integer({ min: max + 1, max: max * 100 }).map(String), fc.constantFrom('abc', '1.5', '', ' ', '1e3', '-0'));
const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Uint8Array.from([...b, 0xff, 0xfe]));
const notJson = fc.oneof(fc.string({ maxLength: 40 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }), fc.constantFrom('{', '{"key":', '[1,', '{"key":"a",}', '\u0000'));
const wrongShape = fc.oneof(
  fc.constantFrom('[]', '5', '"text"', 'null', 'true', '{}', '{"key":5,"value":"v"}', '{"key":"","value":"v"}', '{"key":"k"}', '{"key":"k","value":5}', '{"key":["a"],"value":"v"}'),
  fc.tuple(badKey, fc.string({ maxLength: 10 })).map(([k, v]) => JSON.stringify({ key: decodeURIComponentSafe(k), value: v, ttl: 'soon' })),
);
function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
const unknownPath = fc.tuple(fc.constantFrom('/zz', '/key', '/keys/a/b/c/../..', '/admin', '/internal/kv', '/internal/leader', '/render/rows', '/.env', '/metrics/x'), text).map(([a, b]) => a + (a === '/keys/a/b/c/../..' ? '' : `/${b}`));

const badRequests: fc.Arbitrary<BadRequest> = fc.oneof(
  badKey.map((k) => ({ what: 'GET a bad key', method: 'GET', path: `/keys/${k}` })),
  fc.tuple(badKey, fc.string({ maxLength: 20 })).map(([k, v]) => ({ what: 'PUT a bad key', method: 'PUT', path: `/keys/${k}`, body: v })),
  badKey.map((k) => ({ what: 'DELETE a bad key', method: 'DELETE', path: `/keys/${k}` })),
  fc.tuple(writeKey, badTtl).map(([k, t]) => ({ what: 'PUT with a bad ttl', method: 'PUT', path: `/keys/${k}?ttl=${t}`, body: 'v' })),
  fc.tuple(writeKey, invalidUtf8).map(([k, b]) => ({ what: 'PUT a value that is not UTF-8', method: 'PUT', path: `/keys/${k}`, body: b })),
  fc.tuple(writeKey, fc.constantFrom(1024 * 1024 + 1, 2 * 1024 * 1024)).map(([k, n]) => ({ what: 'PUT a value over 1 MiB', method: 'PUT', path: `/keys/${k}`, body: 'x'.repeat(n) })),
  fc.tuple(writeKey, fc.uint8Array({ maxLength: 64 })).map(([k, b]) => ({ what: 'PUT a gzip body that is not gzip', method: 'PUT', path: `/keys/${k}`, headers: { 'content-encoding': 'gzip' }, body: b })),
  fc.tuple(writeKey, fc.constantFrom('br', 'compress', 'x-custom')).map(([k, e]) => ({ what: 'PUT with an unsupported encoding', method: 'PUT', path: `/keys/${k}`, headers: { 'content-encoding': e }, body: 'v' })),
  fc.tuple(fc.constantFrom('/keys/ok', '/keys', '/set', '/get', '/health', '/ready', '/leader', '/mandelbrot.png', '/election', '/servers', '/batch'), fc.constantFrom('PATCH', 'PUT', 'DELETE', 'POST')).map(([p, m]) => ({
    what: 'a method the route does not take (or needs a secret for)', method: m, path: p,
  })),
  badLimit.map((l) => ({ what: 'a bad listing limit', method: 'GET', path: `/keys?limit=${l}` })),
  badCursor.map((c) => ({ what: 'a bad listing cursor', method: 'GET', path: `/keys?cursor=${c}` })),
  fc.constantFrom(Buffer.from('aaa').toString('base64url')).map((c) => ({ what: 'a cursor of another prefix', method: 'GET', path: `/keys?prefix=zzz&cursor=${c}` })),
  badKeyInQuery.map((k) => ({ what: 'a bad listing prefix', method: 'GET', path: `/keys?prefix=${k}` })),
  fc.constantFrom('prefix=a&prefix=b', 'limit=1&limit=2', 'cursor=a&cursor=b').map((q) => ({ what: 'a repeated query parameter', method: 'GET', path: `/keys?${q}` })),
  notJson.map((b) => ({ what: 'POST /set with malformed JSON', method: 'POST', path: '/set', headers: { 'content-type': 'application/json' }, body: b })),
  wrongShape.map((b) => ({ what: 'POST /set with the wrong JSON', method: 'POST', path: '/set', headers: { 'content-type': 'application/json' }, body: b })),
  fc.constantFrom('key=', 'value=v', 'key=a&ttl=-1&value=v', 'key=%00&value=v').map((b) => ({ what: 'POST /set with a bad form', method: 'POST', path: '/set', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: b })),
  fc.constantFrom('utf-16', 'latin-7', 'ebcdic').map((c) => ({ what: 'POST /set in an unsupported charset', method: 'POST', path: '/set', headers: { 'content-type': `application/json; charset=${c}` }, body: '{"key":"k","value":"v"}' })),
  fc.oneof(notJson, fc.constantFrom('{}', '{"ops":5}', '{"ops":"x"}', '[]')).map((b) => ({ what: 'POST /batch malformed', method: 'POST', path: '/batch', headers: { 'content-type': 'application/json' }, body: b })),
  fc.tuple(fc.constantFrom('width', 'height', 'escape'), fc.constantFrom(8192, 100_000)).chain(([p, max]) => badNumber(p === 'escape' ? 100_000 : max).map((v) => ({
    what: `a bad render ${p}`, method: 'GET', path: `/mandelbrot.png?${p}=${encodeURIComponent(v)}`,
  }))).filter((r) => !r.path.endsWith('=')),
  badKeyInQuery.map((k) => ({ what: 'GET /get with a bad key', method: 'GET', path: `/get?key=${k}` })),
  unknownPath.map((p) => ({ what: 'an unknown route', method: 'GET', path: p })),
  fc.constantFrom('wrong-token', '', 'Bearer ', 'Bearer x').map((t) => ({ what: 'POST /election without the admin token', method: 'POST', path: '/election', headers: t ? { authorization: t } : {} })),
  fc.constantFrom('{"address":"127.0.0.1","port":1}').map((b) => ({ what: 'a sign-up without the secret', method: 'POST', path: '/servers', headers: { 'content-type': 'application/json' }, body: b })),
);

/** Raw bytes that are not valid HTTP/1.1: Node's parser refuses them before any route. */
const rawGarbage = fc.oneof(
  fc.constantFrom('GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', 'GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n', '\u0000\u0001\u0002\r\n\r\n'),
  fc.integer({ min: 17_000, max: 40_000 }).map((n) => `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(n)}\r\n\r\n`),
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^[A-Z]+ /.test(s)).map((s) => `${s}\r\n\r\n`),
);

function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', (e) => (answer ? resolve(answer) : reject(e)));
    socket.end(bytes, 'latin1');
  });
}

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

test('hundreds of generated malformed requests: each a 4xx JSON answer; the LB stays up, bounded, and nothing changes', async () => {
  const stored = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`pbt-keep-${i}`, `value ${i} ✓`]));
  for (const [k, v] of Object.entries(stored)) assert.equal((await put(`${h.lbUrl}/keys/${k}`, v)).status, 200);
  const pid = h.lb.child!.pid!;
  const rssBefore = rssBytes(pid);
  const metricsBefore = (await call(`${h.lbUrl}/metrics`)).body.length as number;
  let sent = 0;

  await fc.assert(
    fc.asyncProperty(badRequests, async (r) => {
      sent++;
      const res = await fetch(`${h.lbUrl}${r.path}`, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      assert.ok(res.status >= 400 && res.status < 500, `${r.what}: ${r.method} ${r.path.slice(0, 120)} answered ${res.status} ${text.slice(0, 200)}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${r.what}: not JSON`);
      const body = JSON.parse(text) as { error?: unknown; message?: unknown };
      assert.equal(typeof body.error, 'string', `${r.what}: no error code`);
      assert.ok(typeof body.message === 'string' && body.message.length > 5, `${r.what}: no message for a person`);
    }),
    { numRuns: 600, seed: Number(process.env.PBT_SEED ?? 20261130), endOnFailure: true, includeErrorInReport: true },
  );

  await fc.assert(
    fc.asyncProperty(rawGarbage, async (bytes) => {
      sent++;
      const answer = await rawExchange(h.lbPort, bytes);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      assert.ok(status >= 400 && status < 500, `raw ${JSON.stringify(bytes.slice(0, 60))} answered ${JSON.stringify(answer.slice(0, 120))}`);
      assert.match(answer, /content-type: application\/json/i);
      assert.match(answer, /"error":"[a-z_]+","message":"[^"]{6,}/);
    }),
    { numRuns: 60, seed: Number(process.env.PBT_SEED ?? 20261130), endOnFailure: true, includeErrorInReport: true },
  );

  assert.ok(h.lb.running, 'the LB is still running');
  assert.equal((await call(`${h.lbUrl}/ready`)).status, 200);
  for (const [k, v] of Object.entries(stored)) assert.equal((await call(`${h.lbUrl}/keys/${k}`)).body.value, v, `${k} unchanged`);
  const written = (await call(`${h.lbUrl}/keys?prefix=pbt-w-&limit=1000`)).body;
  assert.deepEqual(written.keys ?? written, [], 'no refused write stored anything');
  const rssAfter = rssBytes(pid);
  const metricsText = (await call(`${h.lbUrl}/metrics`)).body as string;
  const metricsAfter = metricsText.length;
  console.log(`# bad input: ${sent} generated requests; LB RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB; /metrics ${metricsBefore} -> ${metricsAfter} bytes`);
  assert.ok(sent >= 500);
  assert.ok(rssAfter < rssBefore + 150 * 2 ** 20, 'RSS grew by more than 150 MiB');
  // One series per (method, route pattern, status): bounded by their product, never by the paths sent.
  assert.doesNotMatch(metricsText, /pbt-|%[0-9A-F]{2}|zzz/, 'a raw path or key became a label value');
  assert.ok(metricsAfter < 256 * 1024, `/metrics is ${metricsAfter} bytes`);
});
