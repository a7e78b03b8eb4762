// The change stream of keys under a prefix, from the slaves (cluster-image/src/watch-route.ts), as
// one stream that outlives any one slave: when the slave it reads from fails or leaves, it
// reconnects to another from the last position it passed on, so nothing is missed and nothing is
// repeated. Positions are change ids of the leader's Redis, which every slave reads: they hold
// across failovers and across LBs.
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError } from '@hscale/common';
import type { Member } from '../membership/membership.js';
import { parseSse, type SseEvent } from './sse.js';

export interface WatchSource {
  /** A slave to read from now (healthy, on the current epoch), or undefined. */
  pick(): Member | undefined;
  /** Whether `m` may still be read from (it may have failed its probes, or fallen behind the epoch). */
  usable(m: Member): boolean;
  /** GET `path` from the slave, as a stream. */
  open(m: Member, path: string, signal: AbortSignal): Promise<IncomingMessage>;
}

const RECONNECT_MS = 250;

const USABLE_CHECK_MS = 1000;

/**
 * The events of the change stream after `after` ('' = from now): "ready" once (the position it
 * starts from), then "change" events, "reset" when changes were lost to trimming (list again), and
 * id-only position marks. Ends when `signal` aborts; throws HttpError for a request a slave refuses.
 */
export async function* changeStream(source: WatchSource, prefix: string, after: string, signal: AbortSignal): AsyncGenerator<SseEvent> {
  let position = after;
  let ready = false;
  while (!signal.aborted) {
    const m = source.pick();
    if (m) {
      // A slave that stops being usable is left for another (its stream may just have stalled).
      // One controller per attempt, its listener on `signal` removed after it: a long watch over
      // many reconnections must not pile listeners up on its signal.
      const attempt = new AbortController();
      const stop = () => attempt.abort();
      signal.addEventListener('abort', stop);
      const check = setInterval(() => source.usable(m) || attempt.abort(), USABLE_CHECK_MS);
      try {
        const res = await source.open(m, `/internal/watch?${new URLSearchParams({ prefix, after: position })}`, attempt.signal);
        if (res.statusCode === 200) {
          for await (const ev of parseSse(res)) {
            if (ev.id) position = ev.id;
            if (ev.event === 'ready') {
              if (ready) continue; // a reconnection's: the client already knows where it stands
              ready = true;
            }
            yield ev;
          }
        } else {
          const body = await text(res);
          if (res.statusCode! >= 400 && res.statusCode! < 500 && res.statusCode !== 409) {
            const e = JSON.parse(body) as { error?: string; message?: string };
            throw new HttpError(400, e.error ?? 'bad_request', e.message ?? body);
          }
        }
      } catch (err) {
        if (err instanceof HttpError) throw err;
        // The slave failed or the request was aborted: another slave, from the same position.
      } finally {
        clearInterval(check);
        signal.removeEventListener('abort', stop);
        attempt.abort(); // the request to the slave, if it is still open
      }
    }
    await sleep(RECONNECT_MS, undefined, { signal }).catch(() => undefined);
  }
}

async function text(res: IncomingMessage): Promise<string> {
  let s = '';
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) s += chunk;
  return s;
}
