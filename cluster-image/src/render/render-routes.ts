// GET /render/rows: one band of the image as palette indices, one byte per pixel (the LB assembles
// and encodes the PNG). The default view, or the one given by cx, cy and scale.
import { Router } from 'express';
import { HttpError, intQueryParam as intParam, methodNotAllowed, MANDELBROT_LIMITS, viewFromQuery } from '@hscale/common';
import { RenderBusy, type RenderPool } from './render-pool.js';

export function renderRouter(pool: RenderPool): Router {
  const router = Router();
  router
    .route('/render/rows')
    .get(async (req, res) => {
      const q = req.query;
      const width = intParam(q.width, 'width', 1, MANDELBROT_LIMITS.maxDimension);
      const height = intParam(q.height, 'height', 1, MANDELBROT_LIMITS.maxDimension);
      const escape = intParam(q.escape, 'escape', 1, MANDELBROT_LIMITS.maxEscape);
      const y0 = intParam(q.y0, 'y0', 0, height - 1);
      const y1 = intParam(q.y1, 'y1', y0 + 1, height);
      const { view } = viewFromQuery({ cx: q.cx, cy: q.cy, scale: q.scale }, width, height);
      // The LB hung up (band given up, or its client left): stop rendering for nobody.
      const gone = new AbortController();
      res.on('close', () => res.writableFinished || gone.abort());
      let pixels: Uint8Array;
      try {
        pixels = await pool.render({ width, height, escape, view }, y0, y1, gone.signal);
      } catch (err) {
        if (err instanceof RenderBusy) throw new HttpError(503, 'render_busy', err.message, { 'Retry-After': '1' });
        if (gone.signal.aborted) return;
        throw err;
      }
      res.type('application/octet-stream').send(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
