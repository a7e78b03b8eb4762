// Live views for the dashboard, as Server-Sent Events: GET /events (the event log; plain JSON
// unless the client asks for text/event-stream) and GET /dashboard/stream (the fleet's state and
// the last second's traffic, every second).
import { Router, type Request, type Response } from 'express';
import { intQueryParam, methodNotAllowed } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import type { EventLog, FleetEvent } from '../events.js';
import { healthSummary, serverList } from '../fleet-state.js';
import type { TrafficSecond, TrafficWindow } from '../traffic.js';
import { notReading, StreamSlots } from './stream-slots.js';

/** Open streams at most: each holds a socket and a timer. */
export const MAX_STREAMS = 64;
const MAX_STREAMS_PER_CLIENT = 16;

const wantsStream = (req: Request) => (req.headers.accept ?? '').includes('text/event-stream');

export function liveRouter(view: ClusterView, coordinator: Coordinator, events: EventLog, traffic: TrafficWindow): Router {
  const router = Router();
  // Each dashboard tab holds two streams.
  const slots = new StreamSlots(MAX_STREAMS, MAX_STREAMS_PER_CLIENT, 'live streams (dashboard tabs)');

  /** Starts an SSE answer; `stop` runs when the client goes. */
  const startStream = (res: Response, stop: () => void) => {
    slots.take(res);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n'); // the browser reconnects 2 s after a lost connection
    // A comment every 15 s keeps proxies from closing a quiet stream.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(keepAlive);
      stop();
    });
  };
  // A client that does not read would have the LB buffer its messages without end: past 1 MiB
  // waiting to be sent, its stream is closed (EventSource reconnects, and catches up by its id).
  const send = (res: Response, event: string, data: unknown, id?: string) => {
    if (notReading(res)) return void res.destroy();
    res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  router
    .route('/events')
    .get((req, res) => {
      // EventSource sends the last id it saw when it reconnects: nothing is missed or repeated. The
      // id is "<boot>.<seq>": after a restart of the LB, seq starts again, and everything is new.
      const lastId = /^(\w+)\.(\d+)$/.exec(String(req.headers['last-event-id'] ?? ''));
      const after = lastId ? (lastId[1] === events.boot ? Number(lastId[2]) : 0) : intQueryParam(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
      const limit = intQueryParam(req.query.limit, 'limit', 1, 1000, 200);
      if (!wantsStream(req)) return void res.json({ events: events.since(after, limit) });
      const onEvent = (e: FleetEvent) => send(res, e.kind, e, `${events.boot}.${e.seq}`);
      startStream(res, () => events.off('event', onEvent));
      for (const e of events.since(after, 1000)) onEvent(e);
      events.on('event', onEvent);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/dashboard/stream')
    .get((_req, res) => {
      const state = (second: TrafficSecond | null) => send(res, 'state', { health: healthSummary(view, coordinator), servers: serverList(view, coordinator), traffic: second });
      let unsubscribe = () => {};
      startStream(res, () => unsubscribe());
      state(null);
      unsubscribe = traffic.subscribe(state);
    })
    .all(methodNotAllowed(['GET']));

  return router;
}
