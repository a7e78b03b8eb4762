// GET /mandelbrot.png: plan bands, have the clusters render and compress them, assemble one PNG.
import { Router, type Request, type Response } from 'express';
import { DEFAULT_ESCAPE, DEFAULT_WIDTH, defaultHeight, HttpError, MAX_DEEP_PIXEL_ITERATIONS, intQueryParam, methodNotAllowed, viewFromQuery, type Logger, type RenderParams } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import { BandRefused, RenderError } from '../render/band-dispatcher.js';
import type { OrbitCache } from '../render/orbit-cache.js';
import { renderPng } from '../render/piece-render.js';
import { Admission } from '../admission.js';
import type { Metrics } from '../metrics.js';
import type { LbSettings } from '../settings.js';

const intParam = (req: Request, name: string, fallback: number, max: number) => intQueryParam(req.query[name], name, 1, max, fallback);

/**
 * width, height, escape, and a view (cx, cy, scale or the corners; none: the default view, with
 * the same bytes as before views existed). Without a height, the corners' aspect ratio, else the
 * default view's.
 */
export function parseRenderParams(req: Request, s: LbSettings): RenderParams {
  const width = intParam(req, 'width', DEFAULT_WIDTH, s.MANDELBROT_MAX_DIMENSION);
  const askedHeight = req.query.height === undefined || req.query.height === '' ? undefined : intParam(req, 'height', 1, s.MANDELBROT_MAX_DIMENSION);
  const { view, deep, impliedHeight } = viewFromQuery(req.query, width, askedHeight);
  if (impliedHeight !== undefined && askedHeight === undefined && impliedHeight > s.MANDELBROT_MAX_DIMENSION) {
    throw new HttpError(400, 'invalid_parameter', `these corners at width ${width} make an image ${impliedHeight} pixels high, more than ${s.MANDELBROT_MAX_DIMENSION}: give a smaller width, or a height`);
  }
  const height = askedHeight ?? Math.min(impliedHeight ?? defaultHeight(width), s.MANDELBROT_MAX_DIMENSION);
  const escape = intParam(req, 'escape', DEFAULT_ESCAPE, s.MANDELBROT_MAX_ESCAPE);
  if (deep && width * height * escape > MAX_DEEP_PIXEL_ITERATIONS) {
    throw new HttpError(400, 'invalid_parameter', `a deep view costs every pixel up to escape iterations: width × height × escape may be at most ${MAX_DEEP_PIXEL_ITERATIONS} (here ${width * height * escape}); ask for fewer pixels or a lower escape`);
  }
  return deep ? { width, height, escape, deep } : view ? { width, height, escape, view } : { width, height, escape };
}

export function mandelbrotRouter(view: ClusterView, orbits: OrbitCache, metrics: Metrics, s: LbSettings, log: Logger): Router {
  const router = Router();
  // Renders in progress, and their pixels (the clusters hold them while they render; each band
  // answer is held here until the PNG is assembled).
  const admission = new Admission({ maxJobs: s.MANDELBROT_MAX_RENDERS, maxWeight: s.MANDELBROT_MAX_PIXELS });
  router
    .route('/mandelbrot.png')
    .get(async (req, res) => {
      const params = parseRenderParams(req, s);
      const release = admission.tryAdmit(params.width * params.height);
      if (!release) {
        const now = admission.inProgress;
        throw new HttpError(429, 'too_many_renders', `${now.jobs} renders (${now.weight} pixels) are in progress, the most this LB takes on at once; try again shortly`, { 'Retry-After': '1' });
      }
      // A client that hangs up stops its render: the clusters' bands are called off.
      const gone = new AbortController();
      res.on('close', () => res.writableFinished || gone.abort());
      try {
        await render(params, gone.signal, res);
      } finally {
        release();
      }
    })
    .all(methodNotAllowed(['GET']));

  async function render(params: RenderParams, signal: AbortSignal, res: Response): Promise<void> {
    const started = Date.now();
    let r;
    try {
      r = await renderPng(view, params, { bandsPerCluster: s.RENDER_BANDS_PER_CLUSTER, concurrencyPerCluster: s.RENDER_CONCURRENCY_PER_CLUSTER, bandTimeoutMs: s.BAND_TIMEOUT_MS, signal, orbits });
    } catch (err) {
      if (signal.aborted) {
        log.info('mandelbrot render called off: the client left', { ...params, ms: Date.now() - started });
        return;
      }
      if (err instanceof BandRefused) throw new HttpError(500, 'render_refused', err.message);
      if (err instanceof RenderError) {
        res.status(503).setHeader('Retry-After', '1').json({ error: 'render_failed', message: err.message });
        return;
      }
      throw err;
    }
    const ms = Date.now() - started;
    metrics.bandsRendered(r.bandsByCluster);
    log.info('mandelbrot rendered', { ...params, bands: r.bands, clusters: r.clusters, retries: r.retries, backups: r.backups, ms, bytes: r.png.length, bandsByCluster: r.bandsByCluster });
    res.setHeader('X-Render-Bands', String(r.bands));
    res.setHeader('X-Render-Ms', String(ms));
    res.setHeader('X-Render-Retries', String(r.retries));
    res.setHeader('X-Render-Backups', String(r.backups));
    res.type('image/png').send(r.png);
  }
  return router;
}
