// The Mandelbrot explorer's API with real processes: views (cx, cy, scale and the corners), map
// tiles rendered by one cluster and cached in the key-value store (the same bytes from 1 or 3
// clusters, a cached tile surviving a failover, never in a listing, bounded by TTL and bytes), the
// event log (JSON and Server-Sent Events) and the dashboard's live stream.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { TILE_SIZE, tileView } from '../../common/src/mandelbrot-view.ts';
import { viewFromQuery } from '../../common/src/view-query.ts';
import { deepTileView, referenceOrbit, renderDeepRows } from '../../common/src/deep/index.ts';
import { renderRows } from '../../cluster-image/src/render/kernel.ts';
import { encodeWholePng } from '../../common/src/png-pieces.ts';
import { Harness, redisClient, SECRET } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';

let h: Harness;
before(async () => {
  h = await Harness.start(3);
});
after(() => h?.stopAll());

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
async function get(path: string) {
  const res = await fetch(`${h.lbUrl}${path}`, { signal: AbortSignal.timeout(60_000) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}
async function redisKeys(port: number): Promise<string[]> {
  const r = await redisClient(port);
  try {
    return (await r.sendCommand(['KEYS', '*'])) as string[];
  } finally {
    await r.close();
  }
}
const json = (b: Buffer) => JSON.parse(b.toString('utf8'));
const metric = async (pattern: RegExp) => Number(pattern.exec((await call(`${h.lbUrl}/metrics`)).body)?.[1] ?? 0);

test('a view given by cx, cy and scale is the bytes a local render of that view gives; the corners give the same view', async () => {
  const view = { cx: -0.745, cy: 0.11, scale: 0.0005 };
  const expected = encodeWholePng(renderRows({ width: 200, height: 150, escape: 500, view }, 0, 150), 200, 150, false);
  const byCentre = await get(`/mandelbrot.png?width=200&height=150&escape=500&cx=${view.cx}&cy=${view.cy}&scale=${view.scale}`);
  assert.equal(byCentre.status, 200, byCentre.body.toString());
  assert.equal(sha(byCentre.body), sha(expected));
  // Corners: the view they describe (centre and pixel size, as the LB computes them), rendered locally.
  const corners = { reMin: '-0.795', reMax: '-0.695', imMin: '0.0725', imMax: '0.1475' };
  const described = viewFromQuery(corners, 200).view!;
  const byCorners = await get(`/mandelbrot.png?width=200&escape=500&${new URLSearchParams(corners)}`);
  assert.equal(byCorners.status, 200, byCorners.body.toString());
  assert.deepEqual([byCorners.body.readUInt32BE(16), byCorners.body.readUInt32BE(20)], [200, 150], 'the height that keeps pixels square');
  assert.equal(sha(byCorners.body), sha(encodeWholePng(renderRows({ width: 200, height: 150, escape: 500, view: described }, 0, 150), 200, 150, false)));
  // A view centred on the real axis uses the mirror shortcut: still exactly the local render.
  const axis = { cx: -0.5, cy: 0, scale: 0.01 };
  const mirrored = await get(`/mandelbrot.png?width=120&height=91&escape=300&cx=${axis.cx}&cy=0&scale=${axis.scale}`);
  assert.equal(sha(mirrored.body), sha(encodeWholePng(renderRows({ width: 120, height: 91, escape: 300, view: axis }, 0, 91), 120, 91, true)));
});

test('bad views get a 400 that says why; a pixel below 1e-300 is zoom_too_deep', async () => {
  const cases: [string, number, RegExp][] = [
    ['cx=0&cy=0', 400, /cx, cy and scale go together; missing scale/],
    ['cx=0&cy=0&scale=0', 400, /scale .* must be above 0/],
    ['cx=abc&cy=0&scale=0.1', 400, /cx must be a decimal number/],
    ['cx=Infinity&cy=0&scale=0.1', 400, /cx must be a decimal number/],
    ['cx=-0.7&cy=0.1&scale=1e-301', 400, /zoom_too_deep|1e-300/],
    ['reMin=1&reMax=0&imMin=0&imMax=1', 400, /reMax must be above reMin/],
    ['cx=0&cy=0&scale=0.01&reMin=0&reMax=1&imMin=0&imMax=1', 400, /either cx, cy and scale, or the corners/],
  ];
  for (const [q, status, message] of cases) {
    const r = await get(`/mandelbrot.png?width=64&${q}`);
    assert.equal(r.status, status, q);
    assert.match(json(r.body).message + json(r.body).error, message, q);
  }
  assert.equal(json((await get('/mandelbrot.png?width=64&cx=-0.7&cy=0.1&scale=1e-301')).body).error, 'zoom_too_deep');
});

test('a tile: 256×256, rendered by one cluster, the same bytes as a local render; the second request is a cache hit', async () => {
  const r = await get('/mandelbrot/tiles/3/2/3.png?escape=400');
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.equal(r.headers.get('x-tile-cache'), 'miss');
  assert.ok(h.clusters.some((c) => c.id === r.headers.get('x-rendered-by')), `rendered by a cluster: ${r.headers.get('x-rendered-by')}`);
  const local = encodeWholePng(renderRows({ width: TILE_SIZE, height: TILE_SIZE, escape: 400, view: tileView(3, 2, 3) }, 0, TILE_SIZE), TILE_SIZE, TILE_SIZE, false);
  assert.equal(sha(r.body), sha(local));
  const hitsBefore = await metric(/lb_tile_cache_total\{result="hit"\} (\d+)/);
  const again = await get('/mandelbrot/tiles/3/2/3.png?escape=400');
  assert.equal(again.headers.get('x-tile-cache'), 'hit');
  assert.equal(sha(again.body), sha(r.body));
  assert.equal(await metric(/lb_tile_cache_total\{result="hit"\} (\d+)/), hitsBefore + 1);
  assert.ok((await metric(/lb_tiles_rendered_total\{cluster="[^"]+"\} (\d+)/)) >= 1);
  // The cache is internal: a listing of every key never shows a tile.
  assert.equal((await put(`${h.lbUrl}/keys/user-key`, 'v')).status, 200);
  assert.deepEqual((await call(`${h.lbUrl}/keys?limit=1000`)).body.keys, ['user-key']);
});

test('a deep tile (zoom 60, where x has 18 digits): the bytes of a local perturbation render of its view, then a cache hit', async () => {
  // The tile under c = i, a Misiurewicz point: filaments at every depth.
  const z = 60;
  const x = (2n ** BigInt(z) * 3n) / 4n; // (0 + 2.25) / 3 of the world
  const y = 2n ** BigInt(z) / 6n; // (1.5 - 1) / 3
  const path = `/mandelbrot/tiles/${z}/${x}/${y}.png?escape=3000`;
  const r = await get(path);
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers.get('x-tile-cache'), 'miss');
  const view = deepTileView(z, x, y);
  const local = encodeWholePng(renderDeepRows({ width: TILE_SIZE, height: TILE_SIZE, escape: 3000, deep: view }, referenceOrbit(view, 3000), 0, TILE_SIZE), TILE_SIZE, TILE_SIZE, false);
  assert.equal(sha(r.body), sha(local));
  const counts = new Set(renderDeepRows({ width: TILE_SIZE, height: TILE_SIZE, escape: 3000, deep: view }, referenceOrbit(view, 3000), 0, TILE_SIZE));
  assert.ok(counts.size > 10, `a tile with detail (${counts.size} colours)`);
  const again = await get(path);
  assert.equal(again.headers.get('x-tile-cache'), 'hit');
  assert.equal(sha(again.body), sha(r.body));
});

test('the same tile is the same bytes from each cluster alone and from 3 (cache off for the comparison)', async () => {
  const tileFrom = async (clusters: string | undefined) => {
    await h.lb.kill();
    await h.startLb({ ...(clusters ? { STATIC_CLUSTERS: clusters } : {}), TILE_CACHE_MAX_BYTES: '0' });
    const n = clusters ? 1 : 3;
    // An LB that knows one cluster of three has no majority to elect or follow a leader with: it
    // renders all the same (rendering needs no leader; the tile cache, which does, is off).
    await h.waitFor(async () => (await call(`${h.lbUrl}/health`)).body.clusters.healthy === n && (n === 1 || (await call(`${h.lbUrl}/ready`)).status === 200), 20_000, `${n} clusters${n === 1 ? '' : ' and a leader'}`);
    const r = await get('/mandelbrot/tiles/5/9/13.png?escape=800');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-tile-cache'), 'miss', 'with the cache off, every tile is rendered');
    return r;
  };
  const first = await tileFrom(h.clusters[0]!.id);
  const second = await tileFrom(h.clusters[1]!.id);
  const all = await tileFrom(undefined);
  assert.deepEqual([first.headers.get('x-rendered-by'), second.headers.get('x-rendered-by')], [h.clusters[0]!.id, h.clusters[1]!.id]);
  assert.equal(sha(second.body), sha(first.body));
  assert.equal(sha(all.body), sha(first.body));
  await h.lb.kill();
  await h.startLb();
  await h.waitFor(async () => (await call(`${h.lbUrl}/ready`)).status === 200, 20_000, 'the LB back with its cache');
});

test('a cached tile survives a failover: served from the new leader\'s Redis, not rendered again', async () => {
  const first = await get('/mandelbrot/tiles/4/5/6.png?escape=300');
  assert.equal(first.status, 200);
  const before = (await call(`${h.lbUrl}/leader`)).body as { id: string; epoch: number };
  const old = await h.leader();
  // Replication is asynchronous for a cache write: wait until the followers' Redis have the tile.
  await h.waitFor(async () => {
    const followers = h.clusters.filter((c) => c !== old);
    const sizes = await Promise.all(followers.map(async (c) => (await redisKeys(c.redisPort)).includes('\0hs:tile:1.4.5.6.300')));
    return sizes.every(Boolean);
  }, 10_000, 'every follower to have the tile');
  old.redis.kill('SIGKILL');
  await h.waitFor(async () => (await call(`${h.lbUrl}/leader`)).body.epoch > before.epoch, 20_000, 'a new leader');
  await h.waitFor(async () => (await call(`${h.lbUrl}/ready`)).status === 200, 20_000, 'ready again');
  const after = await get('/mandelbrot/tiles/4/5/6.png?escape=300');
  assert.equal(after.status, 200);
  assert.equal(after.headers.get('x-tile-cache'), 'hit', 'the tile came from the new leader');
  assert.equal(sha(after.body), sha(first.body));
});

test('the tile cache is bounded: beyond its bytes the oldest tiles go, and a tile lives only its TTL', async () => {
  const leader = (await call(`${h.lbUrl}/leader`)).body as { epoch: number };
  // A slave on the leader's epoch (after the failover above, the old leader's slave, whose Redis
  // was killed, may still be on the old one and answer 409).
  const onEpoch = async () => {
    for (const c of h.clusters.filter((x) => x.slave.running)) {
      const health = await call(`http://127.0.0.1:${c.slavePort}/health`).catch(() => null);
      if (health?.body?.epoch === leader.epoch && health.body.leaderReachable) return c;
    }
    return undefined;
  };
  let slave: Awaited<ReturnType<typeof onEpoch>>;
  await h.waitFor(async () => (slave = await onEpoch()) !== undefined, 10_000, 'a slave on the leader\'s epoch');
  const tile = (id: string, body?: Buffer, query = '') =>
    fetch(`http://127.0.0.1:${slave!.slavePort}/internal/tiles/${id}${query}`, {
      method: body ? 'PUT' : 'GET',
      body,
      headers: { authorization: `Bearer ${SECRET}`, 'x-leader-epoch': String(leader.epoch) },
    });
  const kib = Buffer.alloc(1024, 7);
  for (let i = 0; i < 5; i++) assert.equal((await tile(`1.9.0.${i}.1`, kib, '?ttlMs=60000&capBytes=3072')).status, 200);
  const present = await Promise.all([0, 1, 2, 3, 4].map(async (i) => (await tile(`1.9.0.${i}.1`)).status));
  assert.deepEqual(present, [404, 404, 200, 200, 200], 'three tiles of 1 KiB fit in 3 KiB: the two oldest were dropped');
  assert.equal((await tile('1.9.1.0.1', kib, '?ttlMs=1000&capBytes=3072')).status, 200);
  await h.waitFor(async () => (await tile('1.9.1.0.1')).status === 404, 5_000, 'the tile to expire after 1 s');
  assert.equal((await tile('%2e%2e%2f%2e%2e%2fetc', kib, '?ttlMs=60000&capBytes=3072')).status, 400, 'not a tile id');
  assert.equal((await tile('1.2.3.4', kib, '?ttlMs=60000&capBytes=3072')).status, 400, 'not a tile id');
});

test('tile parameters: zoom limit, coordinates in range, escape', async () => {
  const cases: [string, number, string][] = [
    ['/mandelbrot/tiles/991/0/0.png', 400, 'zoom_too_deep'],
    ['/mandelbrot/tiles/2/4/0.png', 400, 'invalid_parameter'],
    // Deep tiles: x and y below 2^z (any length), an escape within the cost bound.
    [`/mandelbrot/tiles/70/${2n ** 70n}/0.png`, 400, 'invalid_parameter'],
    ['/mandelbrot/tiles/70/0/1e3.png', 400, 'invalid_parameter'],
    ['/mandelbrot/tiles/70/0/0.png?escape=76294', 400, 'invalid_parameter'],
    ['/mandelbrot/tiles/2/0/-1.png', 400, 'invalid_parameter'],
    ['/mandelbrot/tiles/a/0/0.png', 400, 'invalid_parameter'],
    ['/mandelbrot/tiles/1/0/0.png?escape=0', 400, 'invalid_parameter'],
  ];
  for (const [path, status, code] of cases) {
    const r = await get(path);
    assert.equal(r.status, status, path);
    assert.equal(json(r.body).error, code, path);
  }
  assert.equal((await fetch(`${h.lbUrl}/mandelbrot/tiles/1/0/0.png`, { method: 'POST' })).status, 405);
});

test('the event log: JSON after a sequence number, and Server-Sent Events that include an election as it happens', async () => {
  const all = json((await get('/events?limit=1000')).body).events as { seq: number; kind: string; time: string }[];
  assert.ok(all.some((e) => e.kind === 'election'), JSON.stringify(all.map((e) => e.kind)));
  assert.ok(all.every((e, i) => i === 0 || e.seq > all[i - 1]!.seq), 'in order');
  assert.ok(!Number.isNaN(Date.parse(all[0]!.time)));
  const last = all.at(-1)!.seq;
  assert.deepEqual(json((await get(`/events?after=${last}`)).body).events, []);

  const ctrl = new AbortController();
  const res = await fetch(`${h.lbUrl}/events?after=${last}`, { headers: { accept: 'text/event-stream' }, signal: ctrl.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  let text = '';
  const seen = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += Buffer.from(value).toString('utf8');
      if (/event: election\n/.test(text)) return;
    }
  })();
  await fetch(`${h.lbUrl}/election`, { method: 'POST', headers: { authorization: 'Bearer test-admin-token' } });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([seen, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no election event in the stream: ${text}`)), 15_000)))]);
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  const msg = /id: \w+\.(\d+)\nevent: election\ndata: (.*)\n/.exec(text)!;
  assert.ok(Number(msg[1]) > last);
  assert.match(JSON.parse(msg[2]!).message, /elected leader of epoch \d+/);
});

test('the dashboard stream: the fleet every second, with the last second\'s traffic', async () => {
  // Read states until one shows what the dashboard needs, within a deadline (the stream is live: a
  // forced election just before leaves a follower's last probe from when it led, without a lag).
  // (The failover test above killed one Redis: that cluster reports no keys or lag.)
  const complete = (state: any) => {
    const working = state.servers.filter((s: any) => s.healthy);
    return (
      state.servers.length === 3 &&
      working.length >= 2 &&
      working.every((s: any) => typeof s.redis?.keys === 'number') &&
      working.filter((s: any) => s.role === 'follower').every((s: any) => typeof s.redis.lag === 'number')
    );
  };
  const res = await fetch(`${h.lbUrl}/dashboard/stream`, { signal: AbortSignal.timeout(20_000) });
  const reader = res.body!.getReader();
  let text = '';
  const states = () => [...text.matchAll(/event: state\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!));
  const done = () => {
    const all = states();
    return all.length >= 3 && complete(all.at(-1)) && all.slice(1).some((s) => s.traffic?.byRoute['PUT /keys/:key'] > 0);
  };
  try {
    while (!done()) {
      await put(`${h.lbUrl}/keys/traffic`, 'x');
      const { value, done: ended } = await reader.read().catch((err: Error) => assert.fail(`no complete state within 20 s (${err.message}): ${text.slice(-3000)}`));
      assert.ok(!ended, `the stream ended: ${text}`);
      text += Buffer.from(value).toString('utf8');
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  assert.ok(states().every((s) => s.health && Array.isArray(s.servers)), 'every state has the health summary and the servers');
});

test('live streams are bounded per client: the 17th gets 503 too_many_streams, a closed one frees its slot', async () => {
  const open: AbortController[] = [];
  // Opens a stream; true when the LB took it. A refused one carries the per-client error.
  const openStream = async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${h.lbUrl}/dashboard/stream`, { signal: ctrl.signal });
    if (res.status === 200) open.push(ctrl);
    else {
      assert.equal(res.status, 503);
      ctrl.abort();
    }
    return res.status === 200;
  };
  try {
    // A stream an earlier test cancelled may hold its slot until the LB sees the close: wait for it.
    for (let i = 0; i < 16; i++) await h.waitFor(openStream, 20_000, `stream ${i + 1} to be taken`);
    const refused = await get('/events');
    assert.equal(refused.status, 200, 'plain JSON is not a stream: always answered');
    const over = await fetch(`${h.lbUrl}/events`, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(5_000) });
    assert.equal(over.status, 503);
    assert.equal(((await over.json()) as { error: string }).error, 'too_many_streams');
    open.pop()!.abort();
    await h.waitFor(openStream, 20_000, 'the closed stream to free its slot');
  } finally {
    for (const c of open) c.abort();
  }
});
