// The slave's single key-value routes (/keys/...): one operation per request, answered like the
// operations of a batch (POST /internal/kv, kv-batch-handler.ts), which is how the LB sends them. Every request names its
// epoch; writes also carry their fencing token (protocol.ts, FENCE_HEADERS and OpFence).
import express, { Router, type Request, type Response } from 'express';
import {
  EPOCH_HEADER, FENCE_HEADERS, HttpError, methodNotAllowed, validateIfVersion, validateListQuery, validateTtl, validateValue,
  type KvOp, type OpFence,
} from '@hscale/common';
import { runKvOp, type OpAnswer } from './kv-ops.js';
import type { Leadership } from './leadership.js';

const header = (req: Request, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : '';
};

function fenceOf(req: Request): OpFence {
  return {
    writer: header(req, FENCE_HEADERS.writer),
    generation: Number(header(req, FENCE_HEADERS.generation)),
    opId: header(req, FENCE_HEADERS.opId),
    retry: header(req, FENCE_HEADERS.retry) === '1',
  };
}

function send(res: Response, a: OpAnswer): void {
  if (a.retryAfter) res.setHeader('Retry-After', '1');
  res.status(a.status).json(a.body);
}

export function kvRouter(leadership: Leadership, maxValueBytes: number): Router {
  const router = Router();
  // Raw body: the value is decoded strictly as UTF-8 by validateValue. +1 so an over-limit body
  // reaches validateValue, which names the limit; bigger bodies are cut off by the parser.
  const rawBody = express.raw({ type: () => true, limit: maxValueBytes + 1 });

  const epochOf = (raw: unknown): number => {
    const want = Number(raw);
    if (!Number.isInteger(want) || want < 1) throw new HttpError(400, 'missing_epoch', `key-value requests need the ${EPOCH_HEADER} header`);
    // This slave serves only its own epoch: anything else is refused before it touches Redis.
    if (want !== leadership.epoch) throw new HttpError(409, 'stale_epoch', `request for epoch ${want} but this slave is on epoch ${leadership.epoch}`);
    return want;
  };
  const one = (build: (req: Request) => KvOp) => async (req: Request, res: Response) => {
    const epoch = epochOf(req.headers[EPOCH_HEADER]);
    send(res, await runKvOp(leadership, epoch, build(req), maxValueBytes));
  };

  router
    .route('/keys/:key')
    .get(one((req) => ({ op: 'get', key: req.params.key as string })))
    .put(
      rawBody,
      one((req) => ({
        op: 'set',
        key: req.params.key as string,
        value: validateValue(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), maxValueBytes),
        ttl: validateTtl(req.query.ttl),
        ifVersion: validateIfVersion(req.query.if_version),
        fence: fenceOf(req),
      })),
    )
    .delete(one((req) => ({ op: 'del', key: req.params.key as string, ifVersion: validateIfVersion(req.query.if_version), fence: fenceOf(req) })))
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));

  router
    .route('/keys')
    .get(
      one((req) => {
        const q = validateListQuery(req.query as Record<string, unknown>);
        return { op: 'list', prefix: q.prefix, cursor: typeof req.query.cursor === 'string' ? req.query.cursor : undefined, limit: q.limit };
      }),
    )
    .all(methodNotAllowed(['GET']));

  // POST is served by kv-batch-handler.ts, before Express.
  router.route('/internal/kv').all(methodNotAllowed(['POST']));

  return router;
}
