// GET /mandelbrot.png: plan bands, have the clusters render them, assemble, encode one PNG.
import { Router, type Request, type Response } from 'express';
import { defaultHeight, HttpError, intQueryParam, isMirrorSymmetric, methodNotAllowed, viewFromQuery, type Logger, type RenderParams } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import { mirrorRows, planBands, rowsToRender } from '../render/band-plan.js';
import { dispatchBands, RenderError } from '../render/band-dispatcher.js';
import { PngEncoderPool } from '../render/png.js';
import { Admission } from '../admission.js';
import type { Metrics } from '../metrics.js';
import type { LbSettings } from '../settings.js';

export const DEFAULT_WIDTH = 800;
export const DEFAULT_ESCAPE = 1000;

const intParam = (req: Request, name: string, fallback: number, max: number) => intQueryParam(req.query[name], name, 1, max, fallback);

/**
 * width, height, escape, and a view (cx, cy, scale or the corners; none: the default view, with
 * the same bytes as before views existed). Without a height, the corners' aspect ratio, else the
 * default view's.
 */
export function parseRenderParams(req: Request, s: LbSettings): RenderParams {
  const width = intParam(req, 'width', DEFAULT_WIDTH, s.MANDELBROT_MAX_DIMENSION);
  const askedHeight = req.query.height === undefined || req.query.height === '' ? undefined : intParam(req, 'height', 1, s.MANDELBROT_MAX_DIMENSION);
  const { view, impliedHeight } = viewFromQuery(req.query, width, askedHeight);
  const height = askedHeight ?? Math.min(impliedHeight ?? defaultHeight(width), s.MANDELBROT_MAX_DIMENSION);
  const escape = intParam(req, 'escape', DEFAULT_ESCAPE, s.MANDELBROT_MAX_ESCAPE);
  return view ? { width, height, escape, view } : { width, height, escape };
}

/** Shared by images and tiles: the PNG encoder threads, and the bound on renders in progress. */
export interface RenderResources {
  encoder: PngEncoderPool;
  admission: Admission;
}

export const renderResources = (s: LbSettings): RenderResources => ({
  encoder: new PngEncoderPool(2),
  admission: new Admission({ maxJobs: s.MANDELBROT_MAX_RENDERS, maxWeight: s.MANDELBROT_MAX_PIXELS }),
});

export function mandelbrotRouter(view: ClusterView, { encoder, admission }: RenderResources, metrics: Metrics, s: LbSettings, log: Logger): Router {
  const router = Router();
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
    const clusters = view.table.list().filter((m) => m.healthy).length;
    const started = Date.now();
    const image = new Uint8Array(params.width * params.height); // palette indices
    const symmetric = isMirrorSymmetric(params);
    const bands = planBands(rowsToRender(params.height, symmetric), params.width, Math.max(1, clusters), s.RENDER_BANDS_PER_CLUSTER);
    let stats;
    try {
      stats = await dispatchBands(view, params, bands, image, { concurrencyPerCluster: s.RENDER_CONCURRENCY_PER_CLUSTER, bandTimeoutMs: s.BAND_TIMEOUT_MS, signal });
    } catch (err) {
      if (signal.aborted) {
        log.info('mandelbrot render called off: the client left', { ...params, ms: Date.now() - started });
        return;
      }
      if (err instanceof RenderError) {
        res.status(503).setHeader('Retry-After', '1').json({ error: 'render_failed', message: err.message });
        return;
      }
      throw err;
    }
    if (symmetric) mirrorRows(image, params.width, params.height);
    const renderedMs = Date.now() - started;
    metrics.bandsRendered(stats.bandsByCluster);
    const png = await encoder.encode(image, params.width, params.height);
    log.info('mandelbrot rendered', { ...params, bands: bands.length, clusters, retries: stats.retries, backups: stats.backups, renderMs: renderedMs, totalMs: Date.now() - started, bandsByCluster: stats.bandsByCluster });
    res.setHeader('X-Render-Bands', String(bands.length));
    res.setHeader('X-Render-Ms', String(renderedMs));
    res.setHeader('X-Render-Retries', String(stats.retries));
    res.setHeader('X-Render-Backups', String(stats.backups));
    res.type('image/png').send(png);
  }
  return router;
}
