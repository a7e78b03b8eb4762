// The map-tile cache in the leader's Redis (library.ts, tile_get and tile_put), for the LB:
// GET /internal/tiles/:id (the PNG, or 404) and PUT /internal/tiles/:id?ttlMs=&capBytes=. Like the
// key-value routes, every request names its epoch and this slave serves only its own.
import express, { Router, type Request } from 'express';
import { EPOCH_HEADER, HttpError, intQueryParam, methodNotAllowed } from '@hscale/common';
import { onLeader, toHttpError } from './kv-ops.js';
import type { Leadership } from './leadership.js';

/**
 * Tile ids are the LB's: "format.z.x.y.escape" (lb-image/src/render/tile-cache.ts); nothing else is
 * accepted. Deep tiles (zoom up to 990) have x and y of up to 299 digits.
 */
const TILE_ID = /^\d{1,3}\.\d{1,3}\.\d{1,300}\.\d{1,300}\.\d{1,6}$/;
/** The most bytes of tiles the LB may ask to keep (TILE_CACHE_MAX_BYTES's bound). */
export const MAX_TILE_CACHE_BYTES = 64 * 1024 ** 3;
const MAX_TILE_BYTES = 1024 * 1024;

export function tileRouter(leadership: Leadership): Router {
  const router = Router();
  const target = (req: Request) => {
    const epoch = Number(req.headers[EPOCH_HEADER]);
    if (!Number.isInteger(epoch) || epoch < 1) throw new HttpError(400, 'missing_epoch', `tile requests need the ${EPOCH_HEADER} header`);
    if (epoch !== leadership.epoch) throw new HttpError(409, 'stale_epoch', `request for epoch ${epoch} but this slave is on epoch ${leadership.epoch}`);
    const id = String(req.params.id);
    if (!TILE_ID.test(id)) throw new HttpError(400, 'invalid_tile_id', 'a tile id is format.z.x.y.escape');
    return { epoch, id };
  };
  const onStore = <T>(fn: Parameters<typeof onLeader<T>>[1]) => onLeader(leadership, fn).catch((err) => Promise.reject(toHttpError(err)));

  router
    .route('/internal/tiles/:id')
    .get(async (req, res) => {
      const { epoch, id } = target(req);
      const png = await onStore((s) => s.tileGet(epoch, id));
      if (!png) throw new HttpError(404, 'tile_not_cached', `tile ${id} is not in the cache`);
      res.type('image/png').send(png);
    })
    .put(express.raw({ type: () => true, limit: MAX_TILE_BYTES }), async (req, res) => {
      const { epoch, id } = target(req);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty_tile', 'the body is the tile (PNG)');
      const ttlMs = intQueryParam(req.query.ttlMs, 'ttlMs', 1000, 30 * 24 * 3600 * 1000);
      const capBytes = intQueryParam(req.query.capBytes, 'capBytes', 1, MAX_TILE_CACHE_BYTES);
      const dropped = await onStore((s) => s.tilePut(epoch, id, req.body as Buffer, ttlMs, capBytes));
      res.json({ id, dropped });
    })
    .all(methodNotAllowed(['GET', 'PUT']));
  return router;
}
