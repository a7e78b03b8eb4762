// The slave's key-value routes. The LB sends operations in batches (POST /internal/kv); the single
// routes (/keys/...) answer the same way, one operation per request. Every request names its
// epoch; writes also carry their fencing token (protocol.ts, FENCE_HEADERS and OpFence).
import express, { Router, type Request, type Response } from 'express';
import {
  EPOCH_HEADER, FENCE_HEADERS, HttpError, methodNotAllowed, validateListQuery, validateTtl, validateValue,
  type KvBatch, type KvOp, type Logger, type OpFence,
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

/** Batches larger than this are refused (the LB keeps its batches far below it). */
const MAX_BATCH_OPS = 1000;

export function kvRouter(leadership: Leadership, maxValueBytes: number, log: Logger): Router {
  const router = Router();
  // Raw body: the value is decoded strictly as UTF-8 by validateValue. +1 so an over-limit body
  // reaches validateValue, which names the limit; bigger bodies are cut off by the parser.
  const rawBody = express.raw({ type: () => true, limit: maxValueBytes + 1 });
  const batchBody = express.raw({ type: () => true, limit: Math.max(maxValueBytes * 4, 16 * 1024 * 1024) });

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
        fence: fenceOf(req),
      })),
    )
    .delete(one((req) => ({ op: 'del', key: req.params.key as string, fence: fenceOf(req) })))
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

  router
    .route('/internal/kv')
    .post(batchBody, async (req, res) => {
      let batch: KvBatch;
      try {
        batch = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '') as KvBatch;
      } catch {
        throw new HttpError(400, 'malformed_body', 'expected a JSON batch {epoch, ops}');
      }
      if (!Array.isArray(batch?.ops) || batch.ops.length > MAX_BATCH_OPS) throw new HttpError(400, 'invalid_batch', `ops must be an array of at most ${MAX_BATCH_OPS}`);
      const epoch = epochOf(batch.epoch);
      // Issued together: node-redis pipelines the reads, the writer group-commits the writes.
      const done = Promise.all(batch.ops.map((op) => runKvOp(leadership, epoch, op, maxValueBytes)));
      res.once('close', () => {
        if (res.writableFinished) return;
        // The LB gave up on this batch (and fenced its writes): say what became of each operation.
        void done.then((answers) => log.warn('batch not delivered: the LB gave up on it', { ids: batch.ids, statuses: answers.map((a) => a.status) }));
      });
      const answers = await done;
      res.type('text/plain').send(answers.map((a) => `${a.status} ${JSON.stringify(a.body)}\n`).join(''));
    })
    .all(methodNotAllowed(['POST']));

  return router;
}
