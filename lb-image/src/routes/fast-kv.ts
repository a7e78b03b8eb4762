// The hot routes, GET, PUT and DELETE /keys/{key}, served straight from node:http: on this path
// Express's routing, middleware chain and response helpers cost more than the work itself (see
// BENCHMARKS.md, the key-value table's Express column). Both paths parse a request with the same
// function (key-request.ts), and the Express routes (kv-routes.ts) still serve everything this
// handler declines: the aliases, listings, blocking reads, compressed bodies, bad URLs, wrong methods.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessLog, HttpError, IDEMPOTENCY_HEADER, readBody, REQUEST_ID_HEADER, requestIdFrom, type AccessLogOptions, type Logger } from '@hscale/common';
import type { Metrics } from '../metrics.js';
import type { Forwarder } from '../routing/forwarder.js';
import { parseKeyRequest, type KeyRequest } from './key-request.js';

const PREFIX = '/keys/';
const ROUTE = '/keys/:key';

export function fastKvHandler(forwarder: Forwarder, metrics: Metrics, maxValueBytes: number, log: Logger, accessLogOpts: AccessLogOptions) {
  const logAccess = accessLog(log, accessLogOpts);

  const reply = (req: IncomingMessage, res: ServerResponse, id: string, started: number, status: number, body: Buffer | string) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      [REQUEST_ID_HEADER]: id,
    };
    if (status === 503) headers['retry-after'] = '1';
    res.writeHead(status, headers);
    res.end(body);
    const ms = performance.now() - started;
    metrics.observe(req.method!, ROUTE, status, ms / 1000);
    logAccess({ id, method: req.method!, path: req.url!.split('?')[0]!, status, ms, delivered: true });
  };

  const run = async (req: IncomingMessage, res: ServerResponse, rawKey: string, query: string) => {
    const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const started = performance.now();
    try {
      const params = new URLSearchParams(query);
      const { op, idempotencyKey } = await parseKeyRequest(
        {
          method: req.method as KeyRequest['method'], // GET, PUT or DELETE: the handler below takes no other
          key: decodeURIComponent(rawKey),
          query: (name) => {
            const all = params.getAll(name);
            return all.length > 1 ? all : all[0];
          },
          idempotencyKey: req.headers[IDEMPOTENCY_HEADER],
          body: () => readBody(req, maxValueBytes + 1),
        },
        maxValueBytes,
      );
      const answer = await forwarder.forward(op, id, idempotencyKey);
      reply(req, res, id, started, answer.status, answer.body);
    } catch (err) {
      if (err instanceof HttpError) {
        reply(req, res, id, started, err.status, JSON.stringify({ error: err.code, message: err.message }));
        return;
      }
      log.error('unhandled error', { requestId: id, path: req.url, error: String((err as Error)?.stack ?? err) });
      reply(req, res, id, started, 500, JSON.stringify({ error: 'internal_error', message: 'an unexpected error happened; see the server log' }));
    }
  };

  /** Serves the request and returns true, or returns false and leaves it to Express. */
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX) || (req.method !== 'GET' && req.method !== 'PUT' && req.method !== 'DELETE')) return false;
    const q = url.indexOf('?');
    const rawKey = url.slice(PREFIX.length, q < 0 ? undefined : q);
    if (rawKey === '' || rawKey.includes('/')) return false; // no key, or a path Express answers 404 (or /incr)
    if (req.method === 'GET' && q >= 0 && /(^|&)(wait_version|timeout)=/.test(url.slice(q + 1))) return false; // a blocking read: watch-route.ts
    // A compressed body (or one in an encoding nobody knows): Express inflates it, or answers 415.
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    try {
      decodeURIComponent(rawKey);
    } catch {
      return false; // broken percent-encoding: Express answers 400 malformed_url
    }
    void run(req, res, rawKey, q < 0 ? '' : url.slice(q + 1));
    return true;
  };
}
