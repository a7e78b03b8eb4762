// The OpenAPI document (lb-image/src/openapi.ts) against a real LB and real clusters: every
// answer below must have a status the document lists for its path and method, the documented
// content type and headers, and a JSON body that validates against the documented schema. The
// test derives the path template from the URL itself, so a request can never be checked against
// the wrong entry. A route of the document that the LB does not serve fails the test.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { ADMIN, freePort, Harness, SECRET, sleep } from '../helpers/processes.ts';
import { doc, METHODS, pointer, resolve, validatorAt, type Answer, baseType, problems, parseSse, sseProblems } from '../helpers/openapi-check.ts';

// ---- Requests. Every answer is checked against the document before the test looks at it.
let h: Harness;
/** An LB with no cluster at all: no leader, nothing can render. */
let lonely: Harness;

const isMissingRoute = (a: Answer & { json: any }) => a.status === 404 && a.json?.error === 'not_found';

/** A request whose answer must conform; `mayBeMissing`: a route not built yet may answer 404 (see notYet). */
async function call(base: string, method: string, path: string, init: RequestInit = {}, mayBeMissing = false): Promise<Answer & { json: any }> {
  const res = await fetch(base + path, { method, ...init, signal: init.signal ?? AbortSignal.timeout(30_000) });
  const a: Answer = { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  const json = baseType(a.headers) === 'application/json' ? JSON.parse(a.body.toString()) : undefined;
  if (!(mayBeMissing && isMissingRoute({ ...a, json }))) assert.deepEqual(problems(method, path.split('?')[0]!, a), [], `${method} ${path} → ${a.status}`);
  return { ...a, json };
}
/** A request to the main LB that must get `status` (and, if given, error `code`). */
async function expect(method: string, path: string, status: number, init: RequestInit = {}, code?: string) {
  const a = await call(h.lbUrl, method, path, init);
  assert.equal(a.status, status, `${method} ${path}: ${a.body.toString().slice(0, 300)}`);
  if (code) assert.equal(a.json?.error, code);
  return a;
}
const jsonBody = (value: unknown, headers: Record<string, string> = {}): RequestInit => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

/** Every route of the document is served: a route missing from the LB fails the test (never a skip). */
function notYet(_t: TestContext, a: Answer & { json: any }): boolean {
  assert.ok(!isMissingRoute(a), 'the LB does not serve a route of the document');
  return false;
}

/** The first Server-Sent Events message of `path` (its answer checked like any other), or a failure after `timeoutMs`. */
async function firstEvent(base: string, path: string, timeoutMs: number, onOpen?: () => Promise<unknown>) {
  const res = await fetch(base + path, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(timeoutMs) });
  const a: Answer = { status: res.status, headers: res.headers, body: Buffer.alloc(0) };
  if (res.status !== 200) return { answer: { ...a, body: Buffer.from(await res.arrayBuffer()) }, message: null };
  assert.deepEqual(problems('GET', path.split('?')[0]!, a), []);
  await onOpen?.();
  const reader = res.body!.getReader();
  let text = '';
  try {
    for (;;) {
      // A message ends with a blank line; blocks without data (the opening "retry:", comments) are not messages.
      const blocks = text.split(/\r?\n\r?\n/).slice(0, -1).map(parseSse);
      const message = blocks.find((b) => b.data !== undefined);
      if (message) return { answer: a, message };
      const { value, done } = await reader.read();
      if (done) return { answer: a, message: null };
      text += Buffer.from(value).toString('utf8');
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
before(async () => {
  // One render at a time, so that a second one is refused (429) while a big one runs.
  h = await Harness.start(2, { lb: { MANDELBROT_MAX_RENDERS: '1' } });
  lonely = new Harness();
  lonely.lbPort = await freePort();
  await lonely.startLb({ STATIC_CLUSTERS: '', LEADER_WAIT_MS: '200' });
});
after(async () => {
  await h?.stopAll();
  await lonely?.stopAll();
});

// ---- The document itself.
test('the document has the shape of OpenAPI 3.1, and every $ref resolves', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.info?.title && doc.info?.version);
  const refs: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) k === '$ref' ? refs.push(v as string) : walk(v);
  };
  walk(doc);
  for (const ref of refs) assert.ok(ref.startsWith('#/') && resolve(ref) !== undefined, `$ref ${ref} resolves`);
  // Compiling is slow (~15 ms each): a bare $ref is covered by compiling its target below.
  const compiles = (ptr: string) => Object.keys(resolve(ptr)).join() === '$ref' || validatorAt(ptr);
  const operationIds = new Set<string>();
  for (const [template, item] of Object.entries<any>(doc.paths)) {
    assert.match(template, /^\//);
    const ops = METHODS.filter((m) => item[m]);
    assert.ok(ops.length > 0, `${template} has an operation`);
    for (const m of ops) {
      const op = item[m];
      assert.ok(!operationIds.has(op.operationId), `operationId ${op.operationId} is unique`);
      operationIds.add(op.operationId);
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      for (const [, name] of template.matchAll(/\{([^}]+)\}/g)) {
        assert.ok(params.some((p) => p.in === 'path' && p.name === name && p.required === true), `${m} ${template} declares path parameter ${name}`);
      }
      (item.parameters ?? []).forEach((_: unknown, i: number) => compiles(pointer('paths', template, 'parameters', String(i), 'schema')));
      (op.parameters ?? []).forEach((_: unknown, i: number) => compiles(pointer('paths', template, m, 'parameters', String(i), 'schema')));
      for (const s of op.security ?? []) for (const name of Object.keys(s)) assert.ok(doc.components.securitySchemes[name], `security scheme ${name}`);
      const statuses = Object.keys(op.responses ?? {});
      assert.ok(statuses.length > 0, `${m} ${template} has responses`);
      for (const status of statuses) {
        assert.match(status, /^[1-5]\d\d$/);
        const r = op.responses[status].$ref ? resolve(op.responses[status].$ref) : op.responses[status];
        assert.equal(typeof r.description, 'string', `${m} ${template} ${status} has a description`);
        if (status.startsWith('4') || status.startsWith('5')) assert.ok(r.content?.['application/json'], `${m} ${template} ${status} is a JSON error`);
        for (const media of Object.keys(r.content ?? {})) compiles(pointer('paths', template, m, 'responses', status, 'content', media, 'schema'));
      }
    }
  }
  for (const name of Object.keys(doc.components.schemas)) validatorAt(pointer('components', 'schemas', name));
});

test('the validator rejects answers that contradict the document', () => {
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r1' });
  const health = { status: 'ok', leader: null, clusters: { total: 1, healthy: 1 } };
  const answer = (status: number, body: unknown, h = headers) => ({ status, headers: h, body: Buffer.from(JSON.stringify(body)) });
  assert.deepEqual(problems('GET', '/health', answer(200, health)), []);
  const { leader: _, ...noLeader } = health;
  assert.match(problems('GET', '/health', answer(200, noLeader)).join(), /leader/, 'a missing required field');
  assert.match(problems('GET', '/health', answer(200, { ...health, status: 'fine' })).join(), /allowed values/, 'a value outside the enum');
  assert.match(problems('GET', '/health', answer(418, health)).join(), /not documented/, 'an undocumented status');
  assert.match(problems('GET', '/health', answer(200, health, new Headers({ 'content-type': 'text/plain', 'x-request-id': 'r1' }))).join(), /content type/);
  assert.match(problems('GET', '/leader', answer(503, { error: 'no_leader', message: 'none' })).join(), /Retry-After is missing/);
  assert.match(problems('DELETE', '/health', { ...answer(405, { error: 'method_not_allowed', message: 'no' }), headers: new Headers({ ...Object.fromEntries(headers), allow: 'GET, PUT' }) }).join(), /Allow/);
});

// ---- The system routes.
test('GET /health, /ready, /leader, /servers, /lbs, / and /metrics', async () => {
  assert.equal((await expect('GET', '/health', 200)).json.status, 'ok');
  assert.equal((await expect('GET', '/ready', 200)).json.ready, true);
  const leader = (await expect('GET', '/leader', 200)).json;
  const servers = (await expect('GET', '/servers', 200)).json;
  assert.equal(servers.filter((s: any) => s.role === 'leader')[0]?.id, leader.id);
  const lbs = (await expect('GET', '/lbs', 200)).json;
  assert.equal(lbs.lbs[0].name, lbs.self);
  assert.match((await expect('GET', '/', 200)).body.toString(), /<html/);
  assert.match((await expect('GET', '/metrics', 200)).body.toString(), /^# HELP/m);
});

test('with no cluster: /health says down, /ready, /leader, /election, key-value and renders get 503', async () => {
  const lb = lonely.lbUrl;
  assert.equal((await call(lb, 'GET', '/health')).json.status, 'down');
  assert.equal((await call(lb, 'GET', '/ready')).status, 503);
  assert.equal((await call(lb, 'GET', '/leader')).status, 503);
  assert.equal((await call(lb, 'POST', '/election', { headers: bearer(ADMIN) })).status, 503);
  assert.equal((await call(lb, 'PUT', '/keys/a', { body: 'v' })).status, 503);
  assert.equal((await call(lb, 'GET', '/keys/a')).status, 503);
  assert.equal((await call(lb, 'DELETE', '/keys/a')).status, 503);
  assert.equal((await call(lb, 'GET', '/keys')).status, 503);
  assert.equal((await call(lb, 'POST', '/set', jsonBody({ key: 'a', value: 'v' }))).status, 503);
  const batch = await call(lb, 'POST', '/batch', jsonBody({ ops: [{ op: 'get', key: 'a' }] }));
  assert.equal(batch.json.results[0].status, 503);
  assert.equal((await call(lb, 'GET', '/mandelbrot.png?width=8')).status, 503);
});

test('POST /servers: 401 without the secret, 400 for a bad address, 413 for a big body, 201 when signing up', async () => {
  await expect('POST', '/servers', 401, jsonBody({ address: '127.0.0.1', port: 1 }), 'unauthorized');
  await expect('POST', '/servers', 401, jsonBody({ address: '127.0.0.1', port: 1 }, bearer('wrong-secret')), 'unauthorized');
  await expect('POST', '/servers', 400, jsonBody({ address: 'not an address', port: 1 }, bearer(SECRET)), 'invalid_address');
  await expect('POST', '/servers', 400, jsonBody({ address: '127.0.0.1', port: 70000 }, bearer(SECRET)), 'invalid_port');
  await expect('POST', '/servers', 413, jsonBody({ address: '127.0.0.1', port: 1, name: 'x'.repeat(5000) }, bearer(SECRET)));
  // A server that does not exist: it stays unhealthy, so /servers shows a member never heard from.
  const signedUp = await expect('POST', '/servers', 201, jsonBody({ address: '127.0.0.1', port: await freePort(), name: 'openapi-test' }, bearer(SECRET)));
  assert.equal(signedUp.json.new, true);
  const servers = (await expect('GET', '/servers', 200)).json;
  assert.ok(servers.some((s: any) => s.id === signedUp.json.id && s.redis === null), 'the new member is listed, not heard from yet');
  assert.equal((await expect('GET', '/health', 200)).json.status, 'degraded');
});

// ---- Key-value routes.
test('PUT, GET and DELETE /keys/{key}, and their errors', async () => {
  const written = (await expect('PUT', '/keys/oa%2Fgreeting?ttl=60', 200, { body: 'hello' })).json;
  assert.equal(written.key, 'oa/greeting');
  assert.equal((await expect('GET', '/keys/oa%2Fgreeting', 200)).json.value, 'hello');
  await expect('GET', '/keys/oa%3Amissing', 404, {}, 'key_not_found');
  await expect('PUT', '/keys/oa?ttl=soon', 400, { body: 'v' }, 'invalid_ttl');
  await expect('PUT', `/keys/${'k'.repeat(513)}`, 400, { body: 'v' }, 'invalid_key');
  await expect('PUT', '/keys/oa', 400, { body: Buffer.from([0xff, 0xfe]) }, 'invalid_value');
  await expect('PUT', '/keys/oa', 413, { body: Buffer.alloc(1024 * 1024 + 1, 'a') }, 'value_too_large');
  await expect('PUT', '/keys/oa', 415, { body: 'v', headers: { 'content-encoding': 'bogus' } }, 'unsupported_encoding');
  await expect('GET', '/keys/%E0%A4%A', 400, {}, 'malformed_url');
  await expect('POST', '/keys/oa', 405, { body: 'v' });
  await expect('GET', '/keys/a/b', 404, {}, 'not_found');
  assert.equal((await expect('DELETE', '/keys/oa%2Fgreeting', 200)).json.deleted, true);
  assert.equal((await expect('DELETE', '/keys/oa%2Fgreeting', 200)).json.deleted, false);
});

test('versions, compare-and-set, increments, blocking reads and GET /watch, and their errors', async () => {
  assert.equal((await expect('PUT', '/keys/oa:cas?if_version=0', 200, { body: 'a' })).json.version, 1);
  assert.equal((await expect('PUT', '/keys/oa:cas?if_version=0', 412, { body: 'b' }, 'version_mismatch')).json.version, 1);
  await expect('PUT', '/keys/oa:cas?if_version=-1', 400, { body: 'b' }, 'invalid_version');
  await expect('PUT', '/keys/oa:cas', 400, { body: 'b', headers: { 'idempotency-key': 'a b' } }, 'invalid_idempotency_key');
  await expect('DELETE', '/keys/oa:cas?if_version=9', 412, {}, 'version_mismatch');
  assert.equal((await expect('GET', '/keys/oa:cas', 200)).json.version, 1);
  assert.equal((await expect('POST', '/keys/oa:n/incr?by=5', 200, { headers: { 'idempotency-key': 'oa-incr-1' } })).json.value, '5');
  await expect('POST', '/keys/oa:cas/incr', 409, {}, 'not_an_integer');
  await expect('POST', '/keys/oa:n/incr?by=1.5', 400, {}, 'invalid_increment');
  await expect('POST', '/keys/oa:n/incr?if_version=7', 412, {}, 'version_mismatch');
  await expect('GET', '/keys/oa:n/incr', 405);
  assert.equal((await expect('GET', '/keys/oa:n?wait_version=1&timeout=0.2', 200)).json.value, '5');
  await expect('GET', '/keys/oa:n?wait_version=1&timeout=99', 400, {}, 'invalid_timeout');
  await expect('GET', '/watch?after=soon', 400, {}, 'invalid_position');
  const { answer, message } = await firstEvent(h.lbUrl, '/watch?prefix=oa:', 15_000);
  assert.equal(answer.status, 200);
  assert.equal(message?.event, 'ready');
  assert.deepEqual(sseProblems('/watch', message!.data!), []);
  const batch = (await expect('POST', '/batch', 200, jsonBody({ ops: [{ op: 'incr', key: 'oa:n', by: '-1' }, { op: 'set', key: 'oa:n', value: 'x', if_version: 0 }] }))).json;
  assert.deepEqual(batch.results.map((r: { status: number }) => r.status), [200, 412]);
});

test('GET /keys pages with a cursor, and refuses bad parameters', async () => {
  for (const k of ['oa:list:1', 'oa:list:2']) await expect('PUT', `/keys/${k}`, 200, { body: 'v' });
  const first = (await expect('GET', '/keys?prefix=oa:list:&limit=1', 200)).json;
  assert.deepEqual(first.keys, ['oa:list:1']);
  const second = (await expect('GET', `/keys?prefix=oa:list:&limit=1&cursor=${first.cursor}`, 200)).json;
  assert.deepEqual(second.keys, ['oa:list:2']);
  await expect('GET', '/keys?limit=0', 400, {}, 'invalid_limit');
  await expect('GET', '/keys?cursor=!!!', 400, {}, 'invalid_cursor');
});

test('the seed aliases: POST /set (JSON and form), GET /get/{key}, GET /list-keys, DELETE /delete/{key}', async () => {
  await expect('POST', '/set', 200, jsonBody({ key: 'oa:alias', value: 'v', ttl: 60 }));
  await expect('POST', '/set', 200, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=oa%3Aform&value=w&ttl=60' });
  await expect('POST', '/set', 400, { headers: { 'content-type': 'application/json' }, body: '{not json' }, 'malformed_body');
  await expect('POST', '/set', 400, jsonBody({ key: '', value: 'v' }), 'invalid_key');
  await expect('GET', '/set', 405);
  assert.equal((await expect('GET', '/get/oa%3Aform', 200)).json.value, 'w');
  await expect('GET', '/get/oa%3Anothing', 404, {}, 'key_not_found');
  assert.ok((await expect('GET', '/list-keys?prefix=oa:', 200)).json.keys.includes('oa:alias'));
  assert.equal((await expect('DELETE', '/delete/oa%3Aalias', 200)).json.deleted, true);
  await expect('GET', '/delete/oa%3Aalias', 405);
});

test('POST /batch: one result per operation, a bad one fails alone; 400 and 413 for the whole batch', async () => {
  const ops = [{ op: 'set', key: 'oa:b', value: '1', ttl: 60 }, { op: 'get', key: 'oa:b' }, { op: 'del', key: 'oa:b' }, { op: 'get', key: 'oa:none' }, { op: 'nope', key: 'oa:b' }];
  const { results } = (await expect('POST', '/batch', 200, jsonBody({ ops }))).json;
  const [set, get, del, missing, bad] = results.map((r: any) => r.status);
  assert.deepEqual([set, del, missing, bad], [200, 200, 404, 400]);
  assert.ok(get === 200 || get === 404, 'a get next to a set of the same key may or may not see it');
  await expect('POST', '/batch', 400, jsonBody({ op: 'get' }), 'malformed_body');
  await expect('POST', '/batch', 413, jsonBody({ ops: Array.from({ length: 1001 }, () => ({ op: 'get', key: 'k' })) }), 'batch_too_large');
  await expect('GET', '/batch', 405);
});

// ---- Mandelbrot.
test('GET /mandelbrot.png: exact size, 400 for bad parameters, 429 beyond the render limit', async () => {
  assert.deepEqual(pngSize((await expect('GET', '/mandelbrot.png?width=64&height=40&escape=50', 200)).body), [64, 40]);
  await expect('GET', '/mandelbrot.png?width=0', 400, {}, 'invalid_parameter');
  await expect('GET', '/mandelbrot.png?escape=lots', 400, {}, 'invalid_parameter');
  await expect('POST', '/mandelbrot.png', 405);
  // A big render holds the only slot (MANDELBROT_MAX_RENDERS=1): the next one is refused, then called off.
  const big = new AbortController();
  const running = fetch(`${h.lbUrl}/mandelbrot.png?width=8192&height=8192&escape=100000`, { signal: big.signal }).catch(() => null);
  await sleep(300);
  await expect('GET', '/mandelbrot.png?width=8', 429, {}, 'too_many_renders');
  const calledOffBefore = h.lb.count(/render called off: the client left/);
  big.abort();
  await running;
  // Called off (not finished: it would take far longer), and the slot is free again. Bounds are
  // generous: the render threads of the clusters are replaced when their bands are cancelled.
  await h.waitFor(async () => h.lb.count(/render called off: the client left/) > calledOffBefore, 30_000, 'the LB to call the render off');
  await h.waitFor(async () => (await call(h.lbUrl, 'GET', '/mandelbrot.png?width=8')).status === 200, 30_000, 'the render slot to be free again');
});

test('GET /mandelbrot.png with a view: cx, cy, scale or the corners, a deep one; 400 zoom_too_deep', async () => {
  const tooDeep = await call(h.lbUrl, 'GET', '/mandelbrot.png?width=16&cx=-0.75&cy=0.1&scale=1e-301');
  assert.equal(tooDeep.status, 400);
  assert.equal(tooDeep.json.error, 'zoom_too_deep');
  assert.deepEqual(pngSize((await expect('GET', `/mandelbrot.png?width=16&height=12&cx=-0.75${'0'.repeat(300)}1&cy=0.1&scale=1e-300&escape=100`, 200)).body), [16, 12]);
  assert.deepEqual(pngSize((await expect('GET', '/mandelbrot.png?width=32&height=24&cx=-0.75&cy=0.1&scale=0.01&escape=100', 200)).body), [32, 24]);
  assert.deepEqual(pngSize((await expect('GET', '/mandelbrot.png?width=30&reMin=-1&reMax=0.5&imMin=-0.5&imMax=0.5&escape=100', 200)).body), [30, 20]);
  await expect('GET', '/mandelbrot.png?cx=0&cy=0', 400, {}, 'invalid_parameter');
  await expect('GET', '/mandelbrot.png?cx=0&cy=0&scale=0', 400, {}, 'invalid_parameter');
});

test('GET /mandelbrot/tiles/{z}/{x}/{y}.png: a 256×256 tile, cached; 400 beyond the zoom limit', async (t) => {
  const first = await call(h.lbUrl, 'GET', '/mandelbrot/tiles/1/0/1.png?escape=100', {}, true);
  if (notYet(t, first)) return;
  assert.equal(first.status, 200);
  assert.deepEqual(pngSize(first.body), [256, 256]);
  // From the cache or rendered again (the cache may be off or full): the same bytes either way.
  const again = await expect('GET', '/mandelbrot/tiles/1/0/1.png?escape=100', 200);
  assert.deepEqual(again.body, first.body);
  await expect('GET', '/mandelbrot/tiles/991/0/0.png', 400, {}, 'zoom_too_deep');
  await expect('GET', '/mandelbrot/tiles/1/2/0.png', 400);
  await expect('GET', '/mandelbrot/tiles/0/0/0.png?escape=0', 400);
  assert.equal((await call(lonely.lbUrl, 'GET', '/mandelbrot/tiles/0/0/0.png')).status, 503);
});

// ---- Streams, events and the document itself.
test('GET /openapi.json serves this document', async (t) => {
  const a = await call(h.lbUrl, 'GET', '/openapi.json', {}, true);
  if (notYet(t, a)) return;
  assert.deepEqual(a.json, JSON.parse(JSON.stringify(doc)));
});

test('GET /dashboard/stream sends the state every second', async (t) => {
  const { answer, message } = await firstEvent(h.lbUrl, '/dashboard/stream', 5000);
  if (!message) return void (notYet(t, { ...answer, json: JSON.parse(answer.body.toString() || 'null') }) || assert.fail(`status ${answer.status}`));
  assert.equal(message.event, 'state');
  assert.deepEqual(sseProblems('/dashboard/stream', message.data!), []);
  assert.equal(JSON.parse(message.data!).health.status, (await expect('GET', '/health', 200)).json.status);
});

test('POST /election: 401 without the admin token, 200 with the leader elected', async () => {
  await expect('POST', '/election', 401, {}, 'unauthorized');
  await expect('POST', '/election', 401, { headers: bearer('wrong-token') }, 'unauthorized');
  await expect('GET', '/election', 405);
  const elected = (await expect('POST', '/election', 200, { headers: bearer(ADMIN) })).json;
  assert.equal((await expect('GET', '/leader', 200)).json.epoch, elected.epoch);
});

test('GET /events as JSON and as a stream', async (t) => {
  const list = await call(h.lbUrl, 'GET', '/events?after=0&limit=1000', {}, true);
  if (notYet(t, list)) return;
  assert.ok(list.json.events.length > 0, 'the LB has started and elected a leader: there are events');
  assert.equal((await expect('GET', '/events?limit=1', 200)).json.events.length, 1);
  await expect('GET', '/events?limit=0', 400, {}, 'invalid_parameter');
  await expect('GET', '/events?after=soon', 400, {}, 'invalid_parameter');
  // The stream may send only new events: an election makes one for sure.
  const last = list.json.events.at(-1).seq;
  const { answer, message } = await firstEvent(h.lbUrl, `/events?after=${last}`, 15_000, () => expect('POST', '/election', 200, { headers: bearer(ADMIN) }));
  assert.equal(answer.status, 200);
  assert.ok(message, 'an event arrived');
  assert.deepEqual(sseProblems('/events', message.data!), []);
  const event = JSON.parse(message.data!);
  assert.equal(message.event, event.kind);
  assert.match(message.id!, /^\w+\.\d+$/, 'id: <boot>.<seq>');
  assert.equal(Number(message.id!.split('.')[1]), event.seq);
});

test('unknown paths get 404 not_found, wrong methods 405 with Allow', async () => {
  await expect('GET', '/no-such-route', 404, {}, 'not_found');
  await expect('DELETE', '/health', 405, {}, 'method_not_allowed');
  await expect('PUT', '/servers', 405);
  await expect('POST', '/', 405);
});
