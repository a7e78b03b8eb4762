// Request ids and the access log. The id comes from the caller (the LB passes its own) or is made
// here, and is echoed back so a client can quote it. Ordinary requests are logged only as a sample
// (ACCESS_LOG_SAMPLE, default none): a log line per request costs more than the request itself.
// Errors (5xx), slow requests and requests whose caller hung up are always logged, with the id.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from './logger.js';
import { REQUEST_ID_HEADER } from './protocol.js';

export interface AccessLogOptions {
  /** Fraction of ordinary requests logged (0 = none, 1 = all). */
  sample: number;
  /** Requests slower than this are always logged. */
  slowMs: number;
}

const VALID_ID = /^[\w.-]{1,100}$/;

/** The caller's request id if it is a sane one, else a new one. */
export const requestIdFrom = (incoming: unknown): string => (typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID());

/** Writes the access log line of a finished request, if it is notable or sampled. */
export function accessLog(log: Logger, opts: AccessLogOptions) {
  return (r: { id: string; method: string; path: string; status: number; ms: number; delivered: boolean }) => {
    const notable = r.status >= 500 || r.ms >= opts.slowMs || !r.delivered;
    if (!notable && !(opts.sample > 0 && Math.random() < opts.sample)) return;
    const fields = { requestId: r.id, method: r.method, path: r.path, status: r.status, ms: Math.round(r.ms * 10) / 10, ...(r.delivered ? {} : { delivered: false }) };
    log.log(notable ? 'warn' : 'info', 'request', fields);
  };
}

export function requestLogger(log: Logger, opts: AccessLogOptions): RequestHandler {
  const write = accessLog(log, opts);
  return (req, res, next) => {
    const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    const started = performance.now();
    // 'close', not 'finish': a request whose caller hung up is logged too, as not delivered. A live
    // stream (Server-Sent Events) always ends that way: it is not logged.
    res.once('close', () => isEventStream(res) || write({ id, method: req.method, path: req.path, status: res.statusCode, ms: performance.now() - started, delivered: res.writableFinished }));
    next();
  };
}

export const requestIdOf = (headers: Record<string, unknown>): string => String(headers[REQUEST_ID_HEADER] ?? '');

/** A Server-Sent Events answer: it lasts as long as its viewer, so it is neither a slow request nor an undelivered one. */
export const isEventStream = (res: { getHeader(name: string): unknown }): boolean => String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
