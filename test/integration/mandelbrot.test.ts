// Distributed rendering with real slaves: the same bytes whatever the number of clusters, exact
// dimensions, a slave killed in the middle of a render, parameter checks, and deep views (beyond
// double precision, by perturbation): the same bytes from 1 and 3 clusters and with one stopped.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { defaultHeight } from '../../common/src/mandelbrot-view.ts';
import { renderRows } from '../../cluster-image/src/render/kernel.ts';
import { referenceOrbit, renderDeepRows, type DeepView } from '../../common/src/deep/index.ts';
import { encodeWholePng } from '../../common/src/png-pieces.ts';
import { Harness, SECRET, sleep } from '../helpers/processes.ts';
import { call } from '../helpers/http.ts';

let h: Harness;
before(async () => {
  h = new Harness();
  for (let i = 0; i < 5; i++) await h.addCluster();
});
after(() => h?.stopAll());

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const size = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

async function useClusters(k: number): Promise<void> {
  if (h.lb?.running) await h.lb.kill();
  await h.startLb({ STATIC_CLUSTERS: h.clusters.slice(0, k).map((c) => c.id).join(',') });
  await h.waitFor(async () => (await call(`${h.lbUrl}/health`)).body.clusters.healthy === k, 10_000, `${k} healthy clusters`);
}

async function render(query: string): Promise<{ image: Buffer; retries: number }> {
  const res = await fetch(`${h.lbUrl}/mandelbrot.png?${query}`, { signal: AbortSignal.timeout(120_000) });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'image/png');
  return { image: Buffer.from(await res.arrayBuffer()), retries: Number(res.headers.get('x-render-retries')) };
}
const png = async (query: string) => (await render(query)).image;

test('the PNG is byte-identical for 1, 2, 3 and 5 clusters, and equals a local single-process render', async () => {
  const p = { width: 640, height: defaultHeight(640), escape: 700 };
  const expected = sha(encodeWholePng(renderRows(p, 0, p.height), p.width, p.height, true));
  const hashes: Record<number, string> = {};
  for (const k of [1, 2, 3, 5]) {
    await useClusters(k);
    const image = await png(`width=${p.width}&escape=${p.escape}`);
    assert.deepEqual(size(image), [p.width, p.height]);
    hashes[k] = sha(image);
  }
  assert.deepEqual(new Set(Object.values(hashes)), new Set([expected]), JSON.stringify(hashes));
});

test('exact dimensions for odd sizes, including 1x1', async () => {
  for (const [w, hgt] of [[333, 111], [1, 1], [7, 1000]]) {
    assert.deepEqual(size(await png(`width=${w}&height=${hgt}&escape=50`)), [w, hgt]);
  }
});

test('bad or too large parameters get 400 with a clear message', async () => {
  for (const q of ['width=0', 'width=8193', 'height=8193', 'escape=0', 'escape=100001', 'width=abc', 'width=1.5', 'height=-3']) {
    const r = await call(`${h.lbUrl}/mandelbrot.png?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error, 'invalid_parameter');
    assert.match(r.body.message, /must be a whole number from 1 to \d+/);
  }
});

// A view beside c = i with pixels of 1.8e-49 (test/unit/deep-zoom.test.ts checks its pixels against
// an exact computation): far below what doubles resolve, so rendered by perturbation.
const DEEP: DeepView = { cx: `0.${'0'.repeat(47)}7071067811865476`, cy: `1.${'0'.repeat(47)}7071067811865476`, scale: 7.071067811865476e-49 / 40 };
const deepQuery = (w: number, escape: number) => `width=${w}&height=${w}&escape=${escape}&cx=${DEEP.cx}&cy=${DEEP.cy}&scale=${DEEP.scale}`;

test('a deep view: the same bytes from 1 and 3 clusters, equal to a local perturbation render', async () => {
  const p = { width: 800, height: 800, escape: 2000, deep: DEEP };
  const local = sha(encodeWholePng(renderDeepRows(p, referenceOrbit(DEEP, p.escape), 0, p.height), p.width, p.height, false));
  const hashes: Record<number, string> = {};
  for (const k of [1, 3]) {
    await useClusters(k);
    const r = await fetch(`${h.lbUrl}/mandelbrot.png?${deepQuery(p.width, p.escape)}`, { signal: AbortSignal.timeout(120_000) });
    assert.equal(r.status, 200, await r.clone().text());
    assert.ok(Number(r.headers.get('x-render-bands')) > 1, 'rendered in several bands');
    hashes[k] = sha(Buffer.from(await r.arrayBuffer()));
  }
  assert.deepEqual(new Set(Object.values(hashes)), new Set([local]), JSON.stringify(hashes));
});

test('a deep view with one of three clusters stopped (SIGSTOP) as the render starts: the same bytes', async () => {
  await useClusters(3);
  const reference = await png(deepQuery(800, 2000));
  const victim = h.clusters[2]!;
  const rendering = fetch(`${h.lbUrl}/mandelbrot.png?${deepQuery(800, 2000)}`, { signal: AbortSignal.timeout(120_000) });
  victim.slave.pause();
  try {
    const res = await rendering;
    assert.equal(res.status, 200);
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(reference));
    // Its bands went elsewhere: re-sent after a timeout, or backed up while it stalled.
    assert.ok(Number(res.headers.get('x-render-retries')) + Number(res.headers.get('x-render-backups')) >= 1, 'the stopped cluster had bands');
  } finally {
    victim.slave.resume();
  }
});

test('deep views: below a pixel of 1e-300, or by corners beyond doubles, 400 zoom_too_deep; too costly or malformed, 400', async () => {
  await useClusters(1);
  for (const q of [`width=3000&height=3000&escape=1000&cx=0&cy=1&scale=1e-100`, `width=10&cx=0.1e00000&cy=1&scale=1e-200`]) {
    const r = await call(`${h.lbUrl}/mandelbrot.png?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error, 'invalid_parameter', q);
  }
  for (const q of [`width=10&cx=0&cy=1&scale=1e-301`, `width=10&reMin=0&reMax=1e-40&imMin=0&imMax=1e-40`]) {
    const r = await call(`${h.lbUrl}/mandelbrot.png?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error, 'zoom_too_deep');
  }
  // A slave takes a deep band only with an orbit of 2 to escape + 1 whole points, starting at 0.
  const orbit = (points: number[][]) => Buffer.from(new Float64Array(points.flat()).buffer);
  for (const body of [orbit([[0, 0]]), orbit([[0, 0], [0, 1]]).subarray(0, 24), orbit([[1, 0], [0, 1]]), orbit(Array.from({ length: 12 }, () => [0, 0]))]) {
    const r = await call(`http://127.0.0.1:${h.clusters[0]!.slavePort}/render/pieces?${deepQuery(10, 10)}&p0=0&p1=1`, {
      method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/octet-stream' }, body,
    });
    assert.equal(r.status, 400, `${body.length} bytes`);
    assert.equal(r.body.error, 'invalid_orbit');
  }
});

test('a slave killed in the middle of a large render: the image is still complete and identical', async () => {
  await useClusters(3);
  const q = 'width=3000&escape=20000';
  const reference = await render(q);
  assert.equal(reference.retries, 0);
  const victim = h.clusters[1]!;
  const started = Date.now();
  const rendering = render(q);
  await sleep(300);
  await victim.slave.kill('SIGKILL');
  const killedAfter = Date.now() - started;
  const { image, retries } = await rendering;
  assert.ok(retries >= 1, 'the killed slave had bands in flight, which went to other clusters');
  assert.equal(sha(image), sha(reference.image));
  console.log(`# render with a slave killed after ${killedAfter} ms: complete and identical after ${Date.now() - started} ms, ${retries} band(s) re-sent`);
});

