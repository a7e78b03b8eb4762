// POST /internal/kv, served straight from node:http: the LB sends every key-value operation this
// way, in batches, and on this path Express cost more than the work itself (BENCHMARKS.md).
// The answer has one line per operation: `<status> <JSON body>\n` (protocol.ts, KvBatch).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessLog, EPOCH_HEADER, HttpError, MAX_INTERNAL_BATCH_OPS, readBody, REQUEST_ID_HEADER, requestIdFrom, type AccessLogOptions, type KvBatch, type KvOp, type Logger } from '@hscale/common';
import { runKvBatch } from './kv-ops.js';
import type { Leadership } from './leadership.js';

const PATH = '/internal/kv';

export function kvBatchHandler(leadership: Leadership, maxValueBytes: number, log: Logger, accessLogOpts: AccessLogOptions) {
  const logAccess = accessLog(log, accessLogOpts);
  const bodyLimit = Math.max(maxValueBytes * 4, 16 * 1024 * 1024);

  const run = async (req: IncomingMessage, res: ServerResponse) => {
    const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const started = performance.now();
    let status = 200;
    let body: string;
    try {
      let parsed: Partial<Record<keyof KvBatch, unknown>> | null;
      try {
        parsed = JSON.parse((await readBody(req, bodyLimit)).toString('utf8')) as typeof parsed;
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, 'malformed_body', 'expected a JSON batch {epoch, ops}');
      }
      if (!Array.isArray(parsed?.ops) || parsed.ops.length > MAX_INTERNAL_BATCH_OPS) throw new HttpError(400, 'invalid_batch', `ops must be an array of at most ${MAX_INTERNAL_BATCH_OPS}`);
      // Each operation is checked field by field where it runs (kv-ops.ts: the key, value, TTL,
      // version and fence validators): the hot path's own validation, not a schema here.
      const batch = { epoch: parsed.epoch, ids: Array.isArray(parsed.ids) ? (parsed.ids as string[]) : undefined, ops: parsed.ops as KvOp[] };
      const epoch = Number(batch.epoch ?? req.headers[EPOCH_HEADER]);
      // This slave serves only its own epoch: anything else is refused before it touches Redis.
      if (!Number.isInteger(epoch) || epoch !== leadership.epoch) throw new HttpError(409, 'stale_epoch', `batch for epoch ${batch.epoch} but this slave is on epoch ${leadership.epoch}`);
      const done = runKvBatch(leadership, epoch, batch.ops, maxValueBytes);
      res.once('close', () => {
        if (res.writableFinished) return;
        // The LB gave up on this batch (and fenced its writes): say what became of each operation.
        void done.then((answers) => log.warn('batch not delivered: the LB gave up on it', { ids: batch.ids, statuses: answers.map((a) => a.status) }));
      });
      body = (await done).map((a) => `${a.status} ${JSON.stringify(a.body)}\n`).join('');
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal_error', 'an unexpected error happened; see the server log');
      if (!(err instanceof HttpError)) log.error('unhandled error', { requestId: id, error: String((err as Error)?.stack ?? err) });
      status = e.status;
      body = JSON.stringify({ error: e.code, message: e.message });
    }
    res.writeHead(status, { 'content-type': status === 200 ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), [REQUEST_ID_HEADER]: id });
    res.end(body);
    logAccess({ id, method: 'POST', path: PATH, status, ms: performance.now() - started, delivered: !res.destroyed });
  };

  /** Serves the request and returns true, or returns false and leaves it to Express. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url !== PATH) return false;
    void run(req, res);
    return true;
  };
}
