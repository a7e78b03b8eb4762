// Every bound the OpenAPI document states is the one the LB applies, on both HTTP paths of the
// key routes: for each, the largest value the document allows passes and the next one is refused,
// through a running LB. Two LBs in front of the same cluster, one serving GET, PUT and DELETE
// /keys/{key} on its raw node:http path (KV_FAST_PATH=1) and one through Express (KV_FAST_PATH=0),
// both with limits other than the defaults, so the document must state this LB's settings.
// A copy of a limit changed alone (in the validators, the document or a path) fails this test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Harness } from '../helpers/processes.ts';

const SETTINGS = { MAX_VALUE_BYTES: '4096', MANDELBROT_MAX_DIMENSION: '300', MANDELBROT_MAX_ESCAPE: '2000' };

let h: Harness;
/** The two paths of the key routes, by name. */
const lbs: Record<'fast' | 'express', string> = { fast: '', express: '' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;

before(async () => {
  // The slave keeps its default MAX_VALUE_BYTES (1 MiB): the LB's own check is what is tested.
  h = await Harness.start(1, { lb: { ...SETTINGS, KV_FAST_PATH: '1' } });
  lbs.fast = h.lbUrl;
  lbs.express = (await h.startExtraLb({ ...SETTINGS, KV_FAST_PATH: '0' })).url;
  await h.waitFor(async () => (await fetch(`${lbs.express}/ready`)).status === 200, 20_000, 'the second LB to be ready');
  doc = await (await fetch(`${lbs.fast}/openapi.json`)).json();
  // The document does not depend on the path that serves the key routes.
  assert.deepEqual(await (await fetch(`${lbs.express}/openapi.json`)).json(), doc);
});
after(async () => {
  await h?.stopAll();
});

interface Answer {
  status: number;
  error?: string;
}
async function send(base: string, method: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(base + path, { method, ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const error = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(text) as { error?: string }).error : undefined;
  return error === undefined ? { status: res.status } : { status: res.status, error };
}

/** `largest` is accepted (whatever else it gets, not the refusal), `next` is refused with 4xx `code`. */
async function bound(what: string, code: string, largest: () => Promise<Answer>, next: () => Promise<Answer>) {
  const ok = await largest();
  assert.notEqual(ok.error, code, `${what}: the largest value the document allows was refused (${JSON.stringify(ok)})`);
  assert.ok(ok.status < 500, `${what}: ${JSON.stringify(ok)}`);
  const refused = await next();
  assert.ok(refused.status === 400 || refused.status === 413, `${what}: one past the bound got ${JSON.stringify(refused)}`);
  assert.equal(refused.error, code, `${what}: one past the bound`);
}

const op = (path: string, method: string) => doc.paths[path][method];
const param = (path: string, method: string, name: string) =>
  [...(doc.paths[path].parameters ?? []), ...(op(path, method).parameters ?? [])].find((p: { name: string }) => p.name === name).schema;

test('the document states this LB\'s settings, not the defaults', () => {
  assert.equal(op('/keys/{key}', 'put').requestBody.content['*/*'].schema['x-max-bytes'], Number(SETTINGS.MAX_VALUE_BYTES));
  assert.equal(param('/mandelbrot.png', 'get', 'width').maximum, Number(SETTINGS.MANDELBROT_MAX_DIMENSION));
  assert.equal(param('/mandelbrot.png', 'get', 'escape').maximum, Number(SETTINGS.MANDELBROT_MAX_ESCAPE));
});

for (const path of ['fast', 'express'] as const) {
  test(`key routes through the ${path} path: key bytes, value bytes, ttl, if_version, Idempotency-Key`, async () => {
    const base = lbs[path];
    const keyBytes: number = param('/keys/{key}', 'get', 'key')['x-max-bytes'];
    const longKey = (n: number) => encodeURIComponent('é'.repeat(Math.floor(n / 2)) + 'k'.repeat(n % 2));
    for (const method of ['PUT', 'GET', 'DELETE']) {
      await bound(`${method} key of ${keyBytes} bytes`, 'invalid_key', () => send(base, method, `/keys/${longKey(keyBytes)}`, method === 'PUT' ? { body: 'v' } : {}), () =>
        send(base, method, `/keys/${longKey(keyBytes + 1)}`, method === 'PUT' ? { body: 'v' } : {}),
      );
    }

    const valueBytes: number = op('/keys/{key}', 'put').requestBody.content['*/*'].schema['x-max-bytes'];
    await bound(`value of ${valueBytes} bytes`, 'value_too_large', () => send(base, 'PUT', `/keys/bounds-${path}`, { body: 'v'.repeat(valueBytes) }), () =>
      send(base, 'PUT', `/keys/bounds-${path}`, { body: 'v'.repeat(valueBytes + 1) }),
    );

    const ttl = param('/keys/{key}', 'put', 'ttl');
    await bound(`ttl ${ttl.maximum}`, 'invalid_ttl', () => send(base, 'PUT', `/keys/bounds-${path}?ttl=${ttl.maximum}`, { body: 'v' }), () =>
      send(base, 'PUT', `/keys/bounds-${path}?ttl=${ttl.maximum + 1}`, { body: 'v' }),
    );
    await bound(`ttl ${ttl.minimum}`, 'invalid_ttl', () => send(base, 'PUT', `/keys/bounds-${path}?ttl=${ttl.minimum}`, { body: 'v' }), () =>
      send(base, 'PUT', `/keys/bounds-${path}?ttl=${ttl.minimum - 1}`, { body: 'v' }),
    );

    const version = param('/keys/{key}', 'put', 'if_version');
    for (const method of ['PUT', 'DELETE']) {
      // The largest version is valid input: the key is not at it, so 412, not 400.
      await bound(`${method} if_version ${version.maximum}`, 'invalid_version', () => send(base, method, `/keys/bounds-${path}?if_version=${version.maximum}`, { body: 'v' }), () =>
        send(base, method, `/keys/bounds-${path}?if_version=${BigInt(version.maximum) + 1n}`, { body: 'v' }),
      );
    }

    const idem = param('/keys/{key}', 'put', 'Idempotency-Key');
    for (const method of ['PUT', 'DELETE']) {
      await bound(`${method} Idempotency-Key of ${idem.maxLength}`, 'invalid_idempotency_key', () =>
        send(base, method, `/keys/bounds-${path}`, { body: 'v', headers: { 'idempotency-key': `${method}-${path}-`.padEnd(idem.maxLength, 'x') } }), () =>
        send(base, method, `/keys/bounds-${path}`, { body: 'v', headers: { 'idempotency-key': 'y'.repeat(idem.maxLength + 1) } }),
      );
    }
  });
}

test('HEAD is a read on both paths (/keys/{key} and /get/{key}): the value is left as it was', async () => {
  for (const path of ['fast', 'express'] as const) {
    const base = lbs[path];
    assert.equal((await send(base, 'PUT', `/keys/head-${path}`, { body: 'kept' })).status, 200);
    for (const url of [`/keys/head-${path}`, `/get/head-${path}`]) assert.equal((await fetch(base + url, { method: 'HEAD' })).status, 200, `HEAD ${url}`);
    const after = (await (await fetch(`${base}/keys/head-${path}`)).json()) as { value: string; version: number };
    assert.deepEqual([after.value, after.version], ['kept', 1], `${path}: HEAD changed the key`);
  }
});

test('the other routes: listing limit, blocking-read timeout, increment, batch size', async () => {
  const base = lbs.fast;
  const limit = param('/keys', 'get', 'limit');
  await bound(`limit ${limit.maximum}`, 'invalid_limit', () => send(base, 'GET', `/keys?limit=${limit.maximum}`), () => send(base, 'GET', `/keys?limit=${limit.maximum + 1}`));

  // wait_version 7 of a key that does not exist (version 0) answers at once, whatever the timeout.
  const timeout = param('/keys/{key}', 'get', 'timeout');
  await bound(`timeout ${timeout.maximum}`, 'invalid_timeout', () => send(base, 'GET', `/keys/absent-bounds?wait_version=7&timeout=${timeout.maximum}`), () =>
    send(base, 'GET', `/keys/absent-bounds?wait_version=7&timeout=${timeout.maximum + 0.5}`),
  );

  const by = param('/keys/{key}/incr', 'post', 'by');
  const digits = Number(/\{1,(\d+)\}/.exec(by.pattern)![1]);
  await bound(`by of ${digits} digits`, 'invalid_increment', () => send(base, 'POST', `/keys/bounds-counter/incr?by=${'1'.repeat(digits)}`), () =>
    send(base, 'POST', `/keys/bounds-counter/incr?by=${'1'.repeat(digits + 1)}`),
  );

  const maxOps: number = doc.components.schemas.BatchRequest.properties.ops.maxItems;
  const batch = (n: number) => send(base, 'POST', '/batch', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ops: Array.from({ length: n }, () => ({ op: 'get', key: 'a' })) }) });
  await bound(`a batch of ${maxOps}`, 'batch_too_large', () => batch(maxOps), () => batch(maxOps + 1));
});

test('the Mandelbrot routes: width, height, escape, scale, coordinates, tile zoom', async () => {
  const base = lbs.fast;
  const png = (q: string) => send(base, 'GET', `/mandelbrot.png?${q}`);
  const width = param('/mandelbrot.png', 'get', 'width');
  await bound(`width ${width.maximum}`, 'invalid_parameter', () => png(`width=${width.maximum}&height=1&escape=1`), () => png(`width=${width.maximum + 1}&height=1&escape=1`));
  const height = param('/mandelbrot.png', 'get', 'height');
  await bound(`height ${height.maximum}`, 'invalid_parameter', () => png(`width=1&height=${height.maximum}&escape=1`), () => png(`width=1&height=${height.maximum + 1}&escape=1`));
  const escape = param('/mandelbrot.png', 'get', 'escape');
  await bound(`escape ${escape.maximum}`, 'invalid_parameter', () => png(`width=1&height=1&escape=${escape.maximum}`), () => png(`width=1&height=1&escape=${escape.maximum + 1}`));
  const scale = param('/mandelbrot.png', 'get', 'scale');
  await bound(`scale ${scale.maximum}`, 'invalid_parameter', () => png(`width=1&height=1&escape=1&cx=0&cy=0&scale=${scale.maximum}`), () =>
    png(`width=1&height=1&escape=1&cx=0&cy=0&scale=${scale.maximum * 1.5}`),
  );
  // The smallest pixel: a deep view (rendered by perturbation); below it, zoom_too_deep.
  await bound(`scale ${scale.minimum}`, 'zoom_too_deep', () => png(`width=1&height=1&escape=1&cx=0&cy=0&scale=${scale.minimum}`), () =>
    png(`width=1&height=1&escape=1&cx=0&cy=0&scale=${scale.minimum / 10}`),
  );
  const cx = param('/mandelbrot.png', 'get', 'cx');
  await bound(`cx ${cx.maximum}`, 'invalid_parameter', () => png(`width=1&height=1&escape=1&cx=${cx.maximum}&cy=0&scale=0.01`), () =>
    png(`width=1&height=1&escape=1&cx=${cx.maximum + 0.5}&cy=0&scale=0.01`),
  );
  const zoom = param('/mandelbrot/tiles/{z}/{x}/{y}.png', 'get', 'z');
  await bound(`tile zoom ${zoom.maximum}`, 'zoom_too_deep', () => send(base, 'GET', `/mandelbrot/tiles/${zoom.maximum}/0/0.png?escape=1`), () =>
    send(base, 'GET', `/mandelbrot/tiles/${zoom.maximum + 1}/0/0.png?escape=1`),
  );
});
