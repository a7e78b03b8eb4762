import express, { type Express } from 'express';
import { errorHandler, notFound, requestLogger, type Logger } from '@hscale/common';
import { controlRouter } from './control-routes.js';
import { kvRouter } from './kv-routes.js';
import type { Leadership } from './leadership.js';
import type { RenderPool } from './render/render-pool.js';
import { renderRouter } from './render/render-routes.js';
import type { ClusterSettings } from './settings.js';

export function createSlaveApp(settings: ClusterSettings, leadership: Leadership, renderPool: RenderPool, log: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: express would hash every body (megabytes per band or image) for nothing.
  app.set('etag', false);
  app.use(requestLogger(log, { sample: settings.ACCESS_LOG_SAMPLE, slowMs: settings.SLOW_REQUEST_MS }));
  app.use(controlRouter(leadership, settings.name, settings.CLUSTER_SECRET));
  app.use(kvRouter(leadership, settings.MAX_VALUE_BYTES, log));
  app.use(renderRouter(renderPool));
  app.use(notFound);
  app.use(errorHandler(log, settings.MAX_VALUE_BYTES));
  return app;
}
