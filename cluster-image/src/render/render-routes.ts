// GET /render/pieces: one band of an image (top pieces [p0, p1) of its layout, common/src/png-pieces.ts),
// rendered and compressed here; the LB only puts the pieces in order. The default view, or the
// one given by cx, cy and scale.
import { Router } from 'express';
import { HttpError, intQueryParam as intParam, isMirrorSymmetric, methodNotAllowed, MANDELBROT_LIMITS, pieceLayout, viewFromQuery } from '@hscale/common';
import { RenderBusy, type RenderPool } from './render-pool.js';

export function renderRouter(pool: RenderPool): Router {
  const router = Router();
  router
    .route('/render/pieces')
    .get(async (req, res) => {
      const q = req.query;
      const width = intParam(q.width, 'width', 1, MANDELBROT_LIMITS.maxDimension);
      const height = intParam(q.height, 'height', 1, MANDELBROT_LIMITS.maxDimension);
      const escape = intParam(q.escape, 'escape', 1, MANDELBROT_LIMITS.maxEscape);
      const { view } = viewFromQuery({ cx: q.cx, cy: q.cy, scale: q.scale }, width, height);
      const params = { width, height, escape, ...(view ? { view } : {}) };
      const { top } = pieceLayout(width, height, isMirrorSymmetric(params));
      const p0 = intParam(q.p0, 'p0', 0, top - 1);
      const p1 = intParam(q.p1, 'p1', p0 + 1, top);
      // The LB hung up (band given up, or its client left): stop rendering for nobody.
      const gone = new AbortController();
      res.on('close', () => res.writableFinished || gone.abort());
      let packed: Uint8Array;
      try {
        packed = await pool.render(params, p0, p1, gone.signal);
      } catch (err) {
        if (err instanceof RenderBusy) throw new HttpError(503, 'render_busy', err.message, { 'Retry-After': '1' });
        if (gone.signal.aborted) return;
        throw err;
      }
      res.type('application/octet-stream').send(Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength));
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
