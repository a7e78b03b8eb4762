// GET /mandelbrot/tiles/{z}/{x}/{y}.png: one 256×256 map tile (the slippy-map convention), from the
// tile cache in the key-value store, else rendered and compressed whole by one cluster, then cached.
import { Router } from 'express';
import pLimit from 'p-limit';
import { DEFAULT_ESCAPE, HttpError, intQueryParam, MAX_TILE_ZOOM, methodNotAllowed, TILE_SIZE, tileView, type Logger } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Metrics } from '../metrics.js';
import { tileId, type TileCache } from '../render/tile-cache.js';
import { BandRefused, RenderError } from '../render/band-dispatcher.js';
import { renderPng } from '../render/piece-render.js';
import type { LbSettings } from '../settings.js';

const coordinate = (raw: unknown, name: string, max: number) => intQueryParam(raw, name, 0, max);

/** Tiles waiting for a render at most; more are refused (429). */
export const MAX_WAITING_TILES = 256;

export function tileRouter(view: ClusterView, cache: TileCache, metrics: Metrics, s: LbSettings, log: Logger): Router {
  const router = Router();
  const queue = pLimit(1);
  router
    .route('/mandelbrot/tiles/:z/:x/:y.png')
    .get(async (req, res) => {
      const z = coordinate(req.params.z, 'z', 99);
      if (z > MAX_TILE_ZOOM) {
        throw new HttpError(400, 'zoom_too_deep', `zoom ${z} is beyond ${MAX_TILE_ZOOM}, the deepest at which double precision still tells a tile's pixels apart`);
      }
      const x = coordinate(req.params.x, 'x', 2 ** z - 1);
      const y = coordinate(req.params.y, 'y', 2 ** z - 1);
      const escape = intQueryParam(req.query.escape, 'escape', 1, s.MANDELBROT_MAX_ESCAPE, DEFAULT_ESCAPE);
      const id = tileId(z, x, y, escape);
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
        const params = { width: TILE_SIZE, height: TILE_SIZE, escape, view: tileView(z, x, y) };
        const r = await queue(() => {
          if (gone.signal.aborted) throw new RenderError('the client left');
          return renderPng(view, params, { oneBand: true, bandsPerCluster: 1, concurrencyPerCluster: s.RENDER_CONCURRENCY_PER_CLUSTER, bandTimeoutMs: s.BAND_TIMEOUT_MS, signal: gone.signal });
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
