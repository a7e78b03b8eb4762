// Request ids and one log line per request. The id comes from the caller (the LB passes its own)
// or is made here, and is echoed back so a client can quote it.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from './logger.js';
import { REQUEST_ID_HEADER } from './protocol.js';

/** Paths polled by probes: logged at debug level so they do not drown real traffic. */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics', '/servers', '/leader']);

export function requestLogger(log: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const id = typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    req.headers[REQUEST_ID_HEADER] = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    const started = process.hrtime.bigint();
    // 'close', not 'finish': a request whose caller hung up (for example, an LB that gave up on a
    // frozen slave) is logged too, marked as not delivered.
    res.on('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = QUIET_PATHS.has(req.path) && res.statusCode < 500 ? 'debug' : 'info';
      const delivered = res.writableFinished;
      log.log(level, 'request', { requestId: id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, ...(delivered ? {} : { delivered }) });
    });
    next();
  };
}

export const requestIdOf = (headers: Record<string, unknown>): string => String(headers[REQUEST_ID_HEADER] ?? '');
