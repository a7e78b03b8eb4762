import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { errorHandler, methodNotAllowed, notFound, requestLogger, type Logger } from '@hscale/common';
import type { ClusterView } from './cluster-view.js';
import type { Coordinator } from './election/coordinator.js';
import { createMetrics } from './metrics.js';
import type { Batcher } from './routing/batcher.js';
import type { Fencer } from './routing/fencer.js';
import type { Forwarder } from './routing/forwarder.js';
import { clusterRouter } from './routes/cluster-routes.js';
import { dashboardRouter } from './routes/dashboard.js';
import { openApiDocument } from './openapi.js';
import { documentLimits } from './openapi/document-limits.js';
import { fastKvHandler } from './routes/fast-kv.js';
import { batchRouter } from './routes/batch-route.js';
import { kvRouter } from './routes/kv-routes.js';
import { watchRouter } from './routes/watch-route.js';
import { MAX_WATCHES, MAX_WATCHES_PER_CLIENT, StreamSlots } from './routes/stream-slots.js';
import type { Member } from './membership/membership.js';
import { OrbitCache } from './render/orbit-cache.js';
import { mandelbrotRouter } from './routes/mandelbrot-route.js';
import { liveRouter } from './routes/live-routes.js';
import { tileRouter } from './routes/tile-route.js';
import type { EventLog } from './events.js';
import { TileCache } from './render/tile-cache.js';
import { TrafficWindow } from './traffic.js';
import type { LbSettings } from './settings.js';

/** The LB's request handler: the hot key-value routes (fast-kv.ts), then the Express app for everything else. */
export function createLbApp(s: LbSettings, view: ClusterView, coordinator: Coordinator, forwarder: Forwarder, fencer: Fencer, batcher: Batcher, events: EventLog, log: Logger) {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: express would hash every body (megabytes per band or image) for nothing.
  app.set('etag', false);
  app.set('query parser', 'simple'); // no nested objects from ?a[b]=c
  const traffic = new TrafficWindow();
  const metrics = createMetrics(view, coordinator, forwarder, fencer, batcher, traffic);
  const tiles = new TileCache(
    view,
    () => {
      const leader = coordinator.leader;
      if (!leader || !coordinator.available) return null;
      return { epoch: leader.epoch, members: forwarder.routable(leader.epoch), leaderMemory: view.table.get(leader.leaderId)?.health?.redis.memory };
    },
    { ttlSeconds: s.TILE_CACHE_TTL_SECONDS, maxBytes: s.TILE_CACHE_MAX_BYTES, timeoutMs: s.REQUEST_TIMEOUT_MS },
  );
  const accessLog = { sample: s.ACCESS_LOG_SAMPLE, slowMs: s.SLOW_REQUEST_MS };
  app.use(requestLogger(log, accessLog));
  app.use(metrics.middleware);
  app.use(dashboardRouter());
  app.route('/metrics').get(metrics.handler).all(methodNotAllowed(['GET']));
  // This LB's document (its limits are settings), built once.
  const openApiJson = JSON.stringify(openApiDocument(documentLimits(s)));
  app.route('/openapi.json').get((_req, res) => void res.type('application/json').send(openApiJson)).all(methodNotAllowed(['GET']));
  app.use(clusterRouter(view, coordinator, { clusterSecret: s.CLUSTER_SECRET, adminToken: s.ADMIN_TOKEN, registrationTtlMs: s.REGISTRATION_TTL_SECONDS * 1000, lbName: s.LB_NAME }));
  // Watchers read from any slave that serves the current epoch (watch/change-stream.ts).
  const watchSource = {
    pick: () => {
      const epoch = coordinator.leader?.epoch;
      const members = epoch === undefined || !coordinator.available ? [] : forwarder.routable(epoch);
      return members[Math.floor(Math.random() * members.length)];
    },
    usable: (m: Member) => m.healthy && m.health?.epoch === coordinator.leader?.epoch,
    open: (m: Member, path: string, signal: AbortSignal) => view.openStream(m, path, signal),
  };
  // Watches and blocking reads: each holds a socket to the client and one to a slave.
  const watchSlots = new StreamSlots(MAX_WATCHES, MAX_WATCHES_PER_CLIENT, 'watches and blocking reads');
  app.use(kvRouter(forwarder, watchSource, watchSlots, s.MAX_VALUE_BYTES));
  app.use(watchRouter(watchSource, watchSlots, log));
  app.use(batchRouter(forwarder, s.MAX_VALUE_BYTES));
  // Deep views' and deep tiles' reference orbits, the last few kept (orbit-cache.ts).
  const orbits = new OrbitCache();
  app.use(mandelbrotRouter(view, orbits, metrics, s, log));
  app.use(tileRouter(view, tiles, orbits, metrics, s, log));
  app.use(liveRouter(view, coordinator, events, traffic));
  app.use(notFound);
  app.use(errorHandler(log, s.MAX_VALUE_BYTES));
  const fast = s.KV_FAST_PATH ? fastKvHandler(forwarder, metrics, s.MAX_VALUE_BYTES, log, accessLog) : () => false;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!fast(req, res)) app(req, res);
  };
}
