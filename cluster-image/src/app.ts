import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { errorHandler, hasBearer, LB_HEADER, notFound, requestLogger, type Logger, type SlaveHealth } from '@hscale/common';
import { ChangeFeed } from './change-feed.js';
import { controlRouter } from './control-routes.js';
import { kvBatchHandler } from './kv-batch-handler.js';
import { kvRouter } from './kv-routes.js';
import { LbsHeard } from './lbs-heard.js';
import type { Leadership } from './leadership.js';
import type { RenderPool } from './render/render-pool.js';
import { renderRouter } from './render/render-routes.js';
import type { ClusterSettings } from './settings.js';
import { tileRouter } from './tile-routes.js';
import { watchRouter } from './watch-route.js';

/** The slave's request handler: key-value batches (kv-batch-handler.ts), then Express for everything else. */
export function createSlaveApp(settings: ClusterSettings, leadership: Leadership, renderPool: RenderPool, log: Logger) {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: express would hash every body (megabytes per band or image) for nothing.
  app.set('etag', false);
  const accessLog = { sample: settings.ACCESS_LOG_SAMPLE, slowMs: settings.SLOW_REQUEST_MS };
  const lbs = new LbsHeard();
  const healthOf = async (): Promise<SlaveHealth> => ({ ...(await leadership.health(settings.name)), lbs: lbs.list() });
  app.use(requestLogger(log, accessLog));
  app.use(controlRouter(leadership, healthOf, settings.name, settings.CLUSTER_SECRET));
  app.use(kvRouter(leadership, settings.MAX_VALUE_BYTES));
  app.use(watchRouter(leadership, new ChangeFeed(leadership, log)));
  app.use(renderRouter(renderPool));
  app.use(tileRouter(leadership));
  app.use(notFound);
  app.use(errorHandler(log, settings.MAX_VALUE_BYTES));
  const batches = kvBatchHandler(leadership, settings.MAX_VALUE_BYTES, log, accessLog);
  // GET /health is asked ten times a second of the leader: answered here too, without Express.
  const health = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || req.url !== '/health') return false;
    void healthOf().then((h) => {
      const body = JSON.stringify(h);
      res.writeHead(h.redis.up ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    return true;
  };
  // Every other route is for the LB (and the operator) alone: the cluster secret, in constant time.
  const UNAUTHORIZED = JSON.stringify({ error: 'unauthorized', message: 'this route needs "Authorization: Bearer <CLUSTER_SECRET>"; only GET /health is open' });
  const refuse = (res: ServerResponse) => {
    res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(UNAUTHORIZED), 'www-authenticate': 'Bearer', connection: 'close' });
    res.end(UNAUTHORIZED);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const fromLb = hasBearer(req.headers.authorization, settings.CLUSTER_SECRET);
    // The LB reached this slave at this address: so do the other clusters (advertised-address.ts).
    if (fromLb) {
      settings.advertised.observe(req.socket.localAddress);
      lbs.saw(req.headers[LB_HEADER]);
    }
    if (health(req, res)) return;
    if (!fromLb) return refuse(res);
    if (!batches(req, res)) app(req, res);
  };
}
