// /render/pieces: one band of an image (top pieces [p0, p1) of its layout, common/src/png-pieces.ts),
// rendered and compressed here; the LB only puts the pieces in order. GET: the default view, or the
// one given by cx, cy and scale. POST: a deep view (beyond double precision), whose body is its
// reference orbit as the LB computed it (little-endian doubles, [re, im] per iteration).
import express, { Router, type Request, type Response } from 'express';
import { HttpError, intQueryParam as intParam, isMirrorSymmetric, methodNotAllowed, MANDELBROT_LIMITS, pieceLayout, viewFromQuery, type RenderParams } from '@hscale/common';
import { RenderBusy, type RenderPool } from './render-pool.js';

/** An orbit has at most escape + 1 points of 16 bytes. */
const MAX_ORBIT_BYTES = 16 * (MANDELBROT_LIMITS.maxEscape + 1);

function paramsOf(req: Request): RenderParams {
  const q = req.query;
  const width = intParam(q.width, 'width', 1, MANDELBROT_LIMITS.maxDimension);
  const height = intParam(q.height, 'height', 1, MANDELBROT_LIMITS.maxDimension);
  const escape = intParam(q.escape, 'escape', 1, MANDELBROT_LIMITS.maxEscape);
  const { view, deep } = viewFromQuery({ cx: q.cx, cy: q.cy, scale: q.scale }, width, height);
  return { width, height, escape, ...(view ? { view } : {}), ...(deep ? { deep } : {}) };
}

/**
 * The reference orbit of a deep view, from the body: whole points, Z(0) = 0 first, at least Z(1)
 * (referenceOrbit always has it; the loops rebase to Z(0) and go on from Z(1)), at most escape + 1.
 */
function orbitOf(body: unknown, escape: number): Float64Array {
  const b = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  if (b.length < 32 || b.length % 16 !== 0 || b.length > 16 * (escape + 1)) throw new HttpError(400, 'invalid_orbit', `the body must be the view's reference orbit: 2 to ${escape + 1} points of 16 bytes`);
  const orbit = new Float64Array(b.length / 8);
  for (let i = 0; i < orbit.length; i++) orbit[i] = b.readDoubleLE(8 * i);
  if (orbit[0] !== 0 || orbit[1] !== 0 || !orbit.every(Number.isFinite)) throw new HttpError(400, 'invalid_orbit', 'the orbit must start at 0 and hold finite numbers');
  return orbit;
}

export function renderRouter(pool: RenderPool): Router {
  const router = Router();
  const serve = async (req: Request, res: Response, params: RenderParams, orbit?: Float64Array) => {
    const { top } = pieceLayout(params.width, params.height, isMirrorSymmetric(params));
    const p0 = intParam(req.query.p0, 'p0', 0, top - 1);
    const p1 = intParam(req.query.p1, 'p1', p0 + 1, top);
    // The LB hung up (band given up, or its client left): stop rendering for nobody.
    const gone = new AbortController();
    res.on('close', () => res.writableFinished || gone.abort());
    let packed: Uint8Array;
    try {
      packed = await pool.render(params, p0, p1, gone.signal, orbit);
    } catch (err) {
      if (err instanceof RenderBusy) throw new HttpError(503, 'render_busy', err.message, { 'Retry-After': '1' });
      if (gone.signal.aborted) return;
      throw err;
    }
    res.type('application/octet-stream').send(Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength));
  };
  router
    .route('/render/pieces')
    .get(async (req, res) => {
      const params = paramsOf(req);
      if (params.deep) throw new HttpError(400, 'orbit_missing', 'a deep view is rendered with its reference orbit: POST it');
      await serve(req, res, params);
    })
    .post(express.raw({ type: 'application/octet-stream', limit: MAX_ORBIT_BYTES }), async (req, res) => {
      const params = paramsOf(req);
      if (!params.deep) throw new HttpError(400, 'not_deep', 'POST is for deep views (beyond double precision); GET renders the others');
      await serve(req, res, params, orbitOf(req.body, params.escape));
    })
    .all(methodNotAllowed(['GET', 'POST']));
  return router;
}
