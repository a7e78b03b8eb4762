// The slave's key-value routes (the LB normalises the public aliases to these).
import express, { Router } from 'express';
import {
  EPOCH_HEADER, HttpError, methodNotAllowed, validateKey, validateListQuery, validateTtl, validateValue,
} from '@hscale/common';
import type { Leadership } from './leadership.js';
import type { LeaderStore } from './leader-store.js';
import { NotReplicatedError } from './replicated-writer.js';

const leaderUnavailable = (detail: string) =>
  new HttpError(503, 'leader_unavailable', `the leader's redis did not answer: ${detail}`, { 'Retry-After': '1' });

/** Turns Redis/connection failures into a 503 the LB recognises as "the leader is failing". */
async function onLeader<T>(leadership: Leadership, fn: (store: LeaderStore) => Promise<T>): Promise<T> {
  const store = leadership.leaderStore;
  if (!store) throw new HttpError(503, 'no_leader', 'this slave has not been told a leader yet', { 'Retry-After': '1' });
  try {
    return await fn(store);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof NotReplicatedError) throw new HttpError(503, 'not_replicated', `${err.message}; the write may or may not be kept, retry it`, { 'Retry-After': '1' });
    throw leaderUnavailable((err as Error).message);
  }
}

export function kvRouter(leadership: Leadership, maxValueBytes: number): Router {
  const router = Router();
  // Raw body: the value is decoded strictly as UTF-8 by validateValue. +1 so an over-limit body
  // reaches validateValue, which names the limit; bigger bodies are cut off by the parser.
  const rawBody = express.raw({ type: () => true, limit: maxValueBytes + 1 });

  router.use((req, _res, next) => {
    const want = req.headers[EPOCH_HEADER];
    if (want !== undefined && Number(want) !== leadership.epoch) {
      next(new HttpError(409, 'stale_epoch', `request for epoch ${want} but this slave is on epoch ${leadership.epoch}`));
      return;
    }
    next();
  });

  router
    .route('/keys/:key')
    .get(async (req, res) => {
      const key = validateKey(req.params.key);
      const found = await onLeader(leadership, (s) => s.get(key));
      if (!found) throw new HttpError(404, 'key_not_found', `no value is stored under key "${key}"`);
      res.json({ key, value: found.value, ttl: found.ttl });
    })
    .put(rawBody, async (req, res) => {
      const key = validateKey(req.params.key);
      const ttl = validateTtl(req.query.ttl);
      const value = validateValue(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), maxValueBytes);
      // A leader-only acknowledgement under WRITE_ACK=replica is logged by the ReplicatedWriter.
      const { durability } = await onLeader(leadership, (s) => s.set(key, value, ttl));
      res.json({ key, ttl: ttl ?? null, durability });
    })
    .delete(async (req, res) => {
      const key = validateKey(req.params.key);
      const { result, durability } = await onLeader(leadership, (s) => s.del(key));
      res.json({ key, deleted: result, durability });
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));

  router
    .route('/keys')
    .get(async (req, res) => {
      const q = validateListQuery(req.query as Record<string, unknown>);
      res.json(await onLeader(leadership, (s) => s.list(q)));
    })
    .all(methodNotAllowed(['GET']));

  return router;
}
