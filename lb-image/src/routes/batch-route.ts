// POST /batch: up to 1,000 operations in one request, as Redis pipelines and Upstash's /pipeline
// offer. Each operation is validated and answered on its own (one bad operation fails alone);
// they travel like single requests (coalesced per slave, fenced, retried), with the same WRITE_ACK
// promise. The answer lists one result per operation, in order: {"status", ...the single route's body}.
import express, { Router } from 'express';
import { badRequest, HttpError, MAX_BATCH_OPS, methodNotAllowed, requestIdOf, validateIfVersion, validateIncrBy, validateKey, validateTtl, validateValue } from '@hscale/common';
import type { ClientOp, Forwarder } from '../routing/forwarder.js';

/** The largest /batch body: room for several values of the largest size, and 16 MiB at least. */
export const batchBodyLimit = (maxValueBytes: number) => Math.max(16 * 1024 * 1024, maxValueBytes * 4);

/** One operation of the batch as the client sent it → what the forwarder runs, or the 4xx it gets. */
export function parseBatchOp(raw: unknown, maxValueBytes: number): ClientOp {
  const o = raw as { op?: unknown; key?: unknown; value?: unknown; ttl?: unknown; if_version?: unknown; by?: unknown } | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw badRequest('invalid_op', 'each operation must be an object {"op", "key", "value"?, "ttl"?, "if_version"?, "by"?}');
  const key = validateKey(o.key);
  const ifVersion = o.op === 'get' ? undefined : validateIfVersion(o.if_version);
  const condition = ifVersion === undefined ? {} : { ifVersion };
  switch (o.op) {
    case 'get':
      return { op: 'get', key };
    case 'del':
      return { op: 'del', key, ...condition };
    case 'set': {
      const ttl = validateTtl(o.ttl);
      return { op: 'set', key, value: validateValue(o.value, maxValueBytes), ...(ttl ? { ttl } : {}), ...condition };
    }
    case 'incr':
      return { op: 'incr', key, by: validateIncrBy(o.by), ...condition };
    default:
      throw badRequest('invalid_op', `op must be "get", "set", "del" or "incr"; got ${JSON.stringify(o.op ?? null)}`);
  }
}

const errorResult = (e: HttpError): Buffer[] => [Buffer.from(JSON.stringify({ status: e.status, error: e.code, message: e.message }))];

export function batchRouter(forwarder: Forwarder, maxValueBytes: number): Router {
  const router = Router();
  const body = express.json({ limit: batchBodyLimit(maxValueBytes) });
  router
    .route('/batch')
    .post(body, async (req, res) => {
      const ops = (req.body as { ops?: unknown } | undefined)?.ops;
      if (!Array.isArray(ops)) throw badRequest('malformed_body', 'send JSON {"ops": [{"op": "get" | "set" | "del" | "incr", "key", "value"?, "ttl"?, "if_version"?, "by"?}, ...]}');
      if (ops.length > MAX_BATCH_OPS) throw new HttpError(413, 'batch_too_large', `a batch holds at most ${MAX_BATCH_OPS} operations; got ${ops.length}`);
      const id = requestIdOf(req.headers);
      const results = await Promise.all(
        ops.map(async (raw, i) => {
          let op: ClientOp;
          try {
            op = parseBatchOp(raw, maxValueBytes);
          } catch (err) {
            if (err instanceof HttpError) return errorResult(err);
            throw err;
          }
          try {
            const r = await forwarder.forward(op, `${id}.${i}`);
            // The slave's body is a JSON object: put the status in front of its fields.
            return r.body.length > 2 ? [Buffer.from(`{"status":${r.status},`), r.body.subarray(1)] : [Buffer.from(`{"status":${r.status}}`)];
          } catch (err) {
            if (err instanceof HttpError) return errorResult(err);
            throw err;
          }
        }),
      );
      const comma = Buffer.from(',');
      const parts: Buffer[] = [Buffer.from('{"results":[')];
      results.forEach((r, i) => (i > 0 ? parts.push(comma, ...r) : parts.push(...r)));
      parts.push(Buffer.from(']}'));
      res.type('application/json').send(Buffer.concat(parts));
    })
    .all(methodNotAllowed(['POST']));
  return router;
}
