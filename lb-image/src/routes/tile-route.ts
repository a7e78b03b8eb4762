// GET /mandelbrot/tiles/{z}/{x}/{y}.png: one 256×256 map tile (the slippy-map convention), from the
// tile cache in the key-value store, else rendered and compressed whole by one cluster, then cached.
// Beyond zoom MAX_TILE_ZOOM (36) tiles are deep (common's deep-tiles.ts): x and y may have up to
// 300 digits, and where perturbation renders them the LB computes the orbit for the cluster.
import { Router } from 'express';
import pLimit from 'p-limit';
import {
  DEFAULT_ESCAPE, deepTileView, HttpError, intQueryParam, isDeepTileZoom, MAX_DEEP_PIXEL_ITERATIONS, MAX_DEEP_TILE_ZOOM, methodNotAllowed, TILE_SIZE, tileView, viewFromQuery,
  type Logger, type RenderParams,
} from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Metrics } from '../metrics.js';
import { tileId, type TileCache } from '../render/tile-cache.js';
import { BandRefused, RenderError } from '../render/band-dispatcher.js';
import type { OrbitCache } from '../render/orbit-cache.js';
import { renderPng } from '../render/piece-render.js';
import type { LbSettings } from '../settings.js';

const coordinate = (raw: unknown, name: string, max: number) => intQueryParam(raw, name, 0, max);

/** A deep tile's x or y: a decimal integer in [0, 2^z), as a BigInt. */
function deepCoordinate(raw: string, name: string, z: number): bigint {
  const value = /^\d{1,300}$/.test(raw) ? BigInt(raw) : -1n;
  if (value < 0n || value >= 2n ** BigInt(z)) throw new HttpError(400, 'invalid_parameter', `${name} must be a whole number from 0 to 2^${z} - 1`);
  return value;
}

/** What tile z/x/y at `escape` is: the view to render, and its id in the cache. */
function tileRequest(z: number, rawX: string, rawY: string, escape: number): { params: RenderParams; id: string } {
  const size = { width: TILE_SIZE, height: TILE_SIZE, escape };
  if (!isDeepTileZoom(z)) {
    const [x, y] = [coordinate(rawX, 'x', 2 ** z - 1), coordinate(rawY, 'y', 2 ** z - 1)];
    return { params: { ...size, view: tileView(z, x, y) }, id: tileId(z, x, y, escape) };
  }
  const [x, y] = [deepCoordinate(rawX, 'x', z), deepCoordinate(rawY, 'y', z)];
  if (TILE_SIZE * TILE_SIZE * escape > MAX_DEEP_PIXEL_ITERATIONS) {
    throw new HttpError(400, 'invalid_parameter', `a deep tile costs every pixel up to escape iterations: escape may be at most ${Math.floor(MAX_DEEP_PIXEL_ITERATIONS / TILE_SIZE / TILE_SIZE)}`);
  }
  // Past zoom 36 a tile is a view by centre and pixel size, decided as /mandelbrot.png and the
  // slave decide one (view-query.ts): where doubles still resolve it (small coordinates), the
  // shallow kernel; else perturbation.
  const v = deepTileView(z, x, y);
  const { view, deep } = viewFromQuery({ cx: v.cx, cy: v.cy, scale: String(v.scale) }, TILE_SIZE, TILE_SIZE);
  return { params: deep ? { ...size, deep } : { ...size, view: view! }, id: tileId(z, x, y, escape) };
}

/** Tiles waiting for a render at most; more are refused (429). */
export const MAX_WAITING_TILES = 256;

export function tileRouter(view: ClusterView, cache: TileCache, orbits: OrbitCache, metrics: Metrics, s: LbSettings, log: Logger): Router {
  const router = Router();
  const queue = pLimit(1);
  router
    .route('/mandelbrot/tiles/:z/:x/:y.png')
    .get(async (req, res) => {
      const z = coordinate(req.params.z, 'z', 9999);
      if (z > MAX_DEEP_TILE_ZOOM) {
        throw new HttpError(400, 'zoom_too_deep', `zoom ${z} is beyond ${MAX_DEEP_TILE_ZOOM}, the deepest whose pixels are at least 1e-300`);
      }
      const escape = intQueryParam(req.query.escape, 'escape', 1, s.MANDELBROT_MAX_ESCAPE, DEFAULT_ESCAPE);
      const { params, id } = tileRequest(z, req.params.x!, req.params.y!, escape);
      // A tile never changes: browsers and proxies may keep it (never an error answer).
      const sendPng = (png: Buffer) => res.setHeader('Cache-Control', 'public, max-age=86400').type('image/png').send(png);

      const cached = await cache.get(id);
      if (cached) {
        metrics.tileCache('hit');
        res.setHeader('X-Tile-Cache', 'hit');
        return void sendPng(cached);
      }
      metrics.tileCache('miss');

      // A map asks for a screenful of tiles at once, and an image that fails is not asked again:
      // tiles wait their turn (as many at once as the clusters render), and only a long queue is refused.
      if (queue.pendingCount >= MAX_WAITING_TILES) {
        throw new HttpError(429, 'too_many_renders', `${queue.pendingCount} tiles are waiting to be rendered; try again shortly`, { 'Retry-After': '1' });
      }
      queue.concurrency = Math.max(1, view.table.list().filter((m) => m.healthy).length * s.RENDER_CONCURRENCY_PER_CLUSTER);
      const gone = new AbortController();
      res.on('close', () => res.writableFinished || gone.abort());
      try {
        const r = await queue(() => {
          if (gone.signal.aborted) throw new RenderError('the client left');
          return renderPng(view, params, { oneBand: true, bandsPerCluster: 1, concurrencyPerCluster: s.RENDER_CONCURRENCY_PER_CLUSTER, bandTimeoutMs: s.BAND_TIMEOUT_MS, signal: gone.signal, orbits });
        });
        const by = Object.keys(r.bandsByCluster)[0] ?? 'unknown';
        metrics.tileRendered(by);
        await cache.put(id, r.png); // before answering: the next request for it finds it
        res.setHeader('X-Tile-Cache', 'miss');
        res.setHeader('X-Rendered-By', by);
        sendPng(r.png);
      } catch (err) {
        if (gone.signal.aborted) return;
        if (err instanceof BandRefused) throw new HttpError(500, 'render_refused', err.message);
        if (err instanceof RenderError) throw new HttpError(503, 'render_failed', err.message, { 'Retry-After': '1' });
        log.warn('tile render failed', { id, error: (err as Error).message });
        throw err;
      }
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
