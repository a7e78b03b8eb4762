// GET /watch?prefix=P: every change of keys under P as Server-Sent Events, resumable with
// Last-Event-ID (or ?after=); and the blocking read GET /keys/{key}?wait_version=N&timeout=S
// (Consul's blocking query), built on the same stream. Both read the change stream of the
// leader's Redis through the slaves (watch/change-stream.ts), never this LB's memory: a watcher
// on one LB sees the writes made through another, and a failover or a dead slave loses nothing.
import { Router, type Request, type Response } from 'express';
import { badRequest, HttpError, isChangeId, methodNotAllowed, requestIdOf, validateListQuery, type Logger } from '@hscale/common';
import type { OpResult } from '../routing/batcher.js';
import type { Forwarder } from '../routing/forwarder.js';
import { changeStream, type WatchSource } from '../watch/change-stream.js';
import { formatSse } from '../watch/sse.js';
import { notReading, type StreamSlots } from './stream-slots.js';

const KEEPALIVE_MS = 15_000;

export function watchRouter(source: WatchSource, slots: StreamSlots, log: Logger): Router {
  const router = Router();
  router
    .route('/watch')
    .get(async (req: Request, res: Response) => {
      const { prefix } = validateListQuery({ prefix: req.query.prefix });
      const resume = req.headers['last-event-id'] ?? req.query.after;
      const after = typeof resume === 'string' ? resume.trim() : '';
      if (after !== '' && !isChangeId(after)) throw badRequest('invalid_position', 'Last-Event-ID (or after) must be the id of an event this stream sent');
      slots.take(res);
      const closed = new AbortController();
      res.on('close', () => closed.abort());
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      // Tells EventSource how long to wait before it reconnects by itself.
      res.write('retry: 2000\n\n');
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
      try {
        for await (const ev of changeStream(source, prefix, after, closed.signal)) {
          // A client that does not read: closed (it resumes by its Last-Event-ID) rather than buffered without end.
          if (notReading(res)) {
            res.destroy();
            break;
          }
          res.write(formatSse(ev));
        }
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        res.write(formatSse({ event: 'error', data: JSON.stringify({ error: err.code, message: err.message }) }));
      } finally {
        clearInterval(keepalive);
        res.end();
        log.debug('watch ended', { prefix });
      }
    })
    .all(methodNotAllowed(['GET']));
  return router;
}

/** The version an answer of GET /keys/{key} shows: 0 for "no such key", null for an error. */
function versionOf(r: OpResult): number | null {
  if (r.status === 404) return 0;
  if (r.status !== 200) return null;
  return Number((JSON.parse(r.body.toString('utf8')) as { version?: number }).version ?? 0);
}

/**
 * A blocking read: the key's answer as soon as its version is no longer `version` (a write, a
 * delete, an expiry), or its current answer after `timeoutMs`. The stream is opened first and the
 * key read after it started, so a change between the two cannot be missed; after each change of
 * the key it is read again (a delete and a new first write bring version 1 back, for instance).
 */
export async function waitForVersion(source: WatchSource, forwarder: Forwarder, req: Request, res: Response, key: string, version: number, timeoutMs: number): Promise<OpResult> {
  const read = () => forwarder.forward({ op: 'get', key }, requestIdOf(req.headers));
  // The client hung up: stop waiting (the answer goes nowhere).
  const hungUp = new AbortController();
  res.once('close', () => hungUp.abort());
  const timeout = AbortSignal.timeout(timeoutMs);
  const events = changeStream(source, key, '', AbortSignal.any([timeout, hungUp.signal]));
  try {
    for await (const ev of events) {
      const ours = ev.event === 'ready' || ev.event === 'reset' || (ev.event === 'change' && (JSON.parse(ev.data ?? '{}') as { key?: string }).key === key);
      if (!ours) continue;
      const now = await read();
      if (versionOf(now) !== version || timeout.aborted) return now;
    }
  } finally {
    await events.return(undefined);
  }
  return read();
}
