// The slave's key-value routes (the LB normalises the public aliases to these). Each request
// names its epoch; writes also carry their fencing token (protocol.ts, FENCE_HEADERS).
import express, { Router, type Request } from 'express';
import {
  EPOCH_HEADER, FENCE_FLOOR_HEADER, FENCE_HEADERS, HttpError, methodNotAllowed, validateKey, validateListQuery, validateTtl, validateValue,
  type FenceToken,
} from '@hscale/common';
import type { Leadership } from './leadership.js';
import type { LeaderStore } from './leader-store.js';
import { NotReplicatedError } from './replicated-writer.js';
import { classifyRedisError } from './store/redis-errors.js';

const retryable = (status: number, code: string, message: string) => new HttpError(status, code, message, { 'Retry-After': '1' });

/** Turns a failed Redis call into the answer the LB acts on (forwarder.ts). */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof NotReplicatedError) return retryable(503, 'not_replicated', `${err.message}; the write may or may not be kept, retry it`);
  const f = classifyRedisError(err);
  switch (f.kind) {
    case 'leader':
      return retryable(503, 'leader_unavailable', `the leader's redis did not answer: ${f.message}`);
    case 'fenced':
      return new HttpError(409, 'fenced', `this write was given up by the LB and refused by the leader (writes below generation ${f.floor} are refused)`, {
        [FENCE_FLOOR_HEADER]: String(f.floor),
      });
    case 'epoch':
      return new HttpError(409, 'stale_epoch', f.message);
    case 'request':
      return new HttpError(500, 'redis_error', `redis refused the operation: ${f.message}`);
  }
}

async function onLeader<T>(leadership: Leadership, fn: (store: LeaderStore) => Promise<T>): Promise<T> {
  const store = leadership.leaderStore;
  if (!store) throw retryable(503, 'no_leader', 'this slave has not been told a leader yet');
  try {
    return await fn(store);
  } catch (err) {
    throw toHttpError(err);
  }
}

const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
};

function fenceToken(req: Request, epoch: number): FenceToken {
  const writer = header(req, FENCE_HEADERS.writer);
  const generation = Number(header(req, FENCE_HEADERS.generation));
  const opId = header(req, FENCE_HEADERS.opId);
  if (!writer || !opId || !Number.isInteger(generation) || generation < 0) {
    throw new HttpError(400, 'missing_fence', `a write needs the ${Object.values(FENCE_HEADERS).slice(0, 3).join(', ')} headers`);
  }
  return { epoch, writer, generation, opId, retry: header(req, FENCE_HEADERS.retry) === '1' };
}

export function kvRouter(leadership: Leadership, maxValueBytes: number): Router {
  const router = Router();
  // Raw body: the value is decoded strictly as UTF-8 by validateValue. +1 so an over-limit body
  // reaches validateValue, which names the limit; bigger bodies are cut off by the parser.
  const rawBody = express.raw({ type: () => true, limit: maxValueBytes + 1 });

  // Every request is for the epoch the LB names, and this slave serves only its own.
  router.use('/keys', (req, res, next) => {
    const want = Number(req.headers[EPOCH_HEADER]);
    if (!Number.isInteger(want) || want < 1) {
      next(new HttpError(400, 'missing_epoch', `key-value requests need the ${EPOCH_HEADER} header`));
      return;
    }
    if (want !== leadership.epoch) {
      next(new HttpError(409, 'stale_epoch', `request for epoch ${want} but this slave is on epoch ${leadership.epoch}`));
      return;
    }
    res.locals.epoch = want;
    next();
  });

  router
    .route('/keys/:key')
    .get(async (req, res) => {
      const key = validateKey(req.params.key);
      const found = await onLeader(leadership, (s) => s.get(res.locals.epoch, key));
      if (!found) throw new HttpError(404, 'key_not_found', `no value is stored under key "${key}"`);
      res.json({ key, value: found.value, ttl: found.ttl });
    })
    .put(rawBody, async (req, res) => {
      const key = validateKey(req.params.key);
      const ttl = validateTtl(req.query.ttl);
      const value = validateValue(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), maxValueBytes);
      const token = fenceToken(req, res.locals.epoch);
      const { durability } = await onLeader(leadership, (s) => s.write(token, { op: 'set', key, value, ttl }));
      res.json({ key, ttl: ttl ?? null, durability });
    })
    .delete(async (req, res) => {
      const key = validateKey(req.params.key);
      const token = fenceToken(req, res.locals.epoch);
      const { applied, durability } = await onLeader(leadership, (s) => s.write(token, { op: 'del', key }));
      res.json({ key, deleted: applied, durability });
    })
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));

  router
    .route('/keys')
    .get(async (req, res) => {
      const q = validateListQuery(req.query as Record<string, unknown>);
      res.json(await onLeader(leadership, (s) => s.list(res.locals.epoch, q)));
    })
    .all(methodNotAllowed(['GET']));

  return router;
}
