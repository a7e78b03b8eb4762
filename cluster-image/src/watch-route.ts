// GET /internal/watch?prefix=P&after=ID: the changes of keys under P after the change ID, as
// Server-Sent Events, from the leader's change stream (library.ts, changes). The LB relays them
// to clients (lb-image/src/routes/watch-route.ts). Every change is read with a majority's
// confirmation, so nothing sent can be taken back by a failover; the stream stays open through
// failovers (each read goes to whatever leader this slave has then) until the LB hangs up.
import { setTimeout as sleep } from 'node:timers/promises';
import { Router, type Request, type Response } from 'express';
import { badRequest, isChangeId, methodNotAllowed, validateListQuery } from '@hscale/common';
import type { ChangeFeed } from './change-feed.js';
import type { Leadership } from './leadership.js';
import type { Change } from './leader-store.js';

const PAGE = 500;
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A comment line this often keeps proxies from closing an idle stream; it also carries the position. */
const KEEPALIVE_MS = 15_000;

/** The SSE event of one change: what GET /watch sends clients. */
export function changeEvent(c: Change): string {
  const data =
    c.value !== undefined ? { key: c.key, version: c.version, value: c.value }
    : c.valueOmitted ? { key: c.key, version: c.version, value_omitted: true }
    : { key: c.key, version: 0, deleted: true, reason: c.gone };
  return `id: ${c.id}\nevent: change\ndata: ${JSON.stringify(data)}\n\n`;
}

export function watchRouter(leadership: Leadership, feed: ChangeFeed): Router {
  const router = Router();
  router
    .route('/internal/watch')
    .get(async (req: Request, res: Response) => {
      const { prefix } = validateListQuery({ prefix: req.query.prefix });
      const after = typeof req.query.after === 'string' ? req.query.after : '';
      if (after !== '' && !isChangeId(after)) throw badRequest('invalid_position', 'after must be a change id ("<ms>-<seq>") from an earlier event');
      const closed = new AbortController();
      res.on('close', () => closed.abort());
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.flushHeaders();

      let position = after;
      let first = true;
      let sentPosition = after;
      let lastWrite = Date.now();
      const write = (text: string) => {
        res.write(text);
        lastWrite = Date.now();
      };
      while (!closed.signal.aborted) {
        const store = leadership.leaderStore;
        let page;
        try {
          if (!store) throw new Error('no leader yet');
          page = await store.changes(leadership.epoch, position, PAGE);
        } catch {
          // The leader failed or changed: read again from the same position (a new leader has every
          // change a majority confirmed, so the position is still good there).
          await sleep(250, undefined, { signal: closed.signal }).catch(() => undefined);
          continue;
        }
        if (closed.signal.aborted) break;
        if (first || !page.complete) {
          // The position to resume from ("ready": the asked one, or now; the page's changes follow),
          // or: the changes after the asked position are gone (trimmed, or another history): list
          // again, then resume from here ("reset").
          const at = page.complete && position !== '' ? position : page.position;
          const kind = page.complete ? 'ready' : 'reset';
          const message = page.complete ? undefined : 'the changes after the given position are no longer kept: list the keys again, then go on from this event';
          write(`id: ${at}\nevent: ${kind}\ndata: ${JSON.stringify({ position: at, ...(message ? { message } : {}) })}\n\n`);
          sentPosition = at;
          first = false;
        }
        for (const c of page.changes) {
          if (!c.key.startsWith(prefix)) continue;
          write(changeEvent(c));
          sentPosition = c.id;
        }
        // The LB reads as fast as it can; a stream it stopped reading is not buffered without end.
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          res.destroy();
          break;
        }
        position = page.position;
        if (page.changes.length === PAGE) continue;
        if (Date.now() - lastWrite >= KEEPALIVE_MS) {
          // Changes of other keys moved the position: an event with only an id moves the client's
          // Last-Event-ID too (the SSE rules), so a resume need not read them again.
          write(sentPosition === position ? ': keepalive\n\n' : `id: ${position}\n\n`);
          sentPosition = position;
        }
        await feed.waitAfter(position, KEEPALIVE_MS, closed.signal);
      }
      res.end();
    })
    .all(methodNotAllowed(['GET']));
  return router;
}
