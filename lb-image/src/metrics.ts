// Prometheus metrics (prom-client): request counts and latency, cluster and election gauges.
import client from 'prom-client';
import type { RequestHandler } from 'express';
import type { ClusterView } from './cluster-view.js';
import type { Coordinator } from './election/coordinator.js';
import type { Fencer } from './routing/fencer.js';
import type { Forwarder } from './routing/forwarder.js';

export function createMetrics(view: ClusterView, coordinator: Coordinator, forwarder: Forwarder, fencer: Fencer) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Histogram({
    name: 'lb_http_request_duration_seconds',
    help: 'HTTP requests served by the LB, by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new client.Gauge({
    name: 'lb_clusters',
    help: 'Known clusters, by health',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const members = view.table.list();
      this.set({ state: 'healthy' }, members.filter((m) => m.healthy).length);
      this.set({ state: 'unhealthy' }, members.filter((m) => !m.healthy).length);
    },
  });
  new client.Gauge({
    name: 'lb_leader_epoch',
    help: 'Epoch of the current leader (0 = none)',
    registers: [registry],
    collect() {
      this.set(coordinator.leader?.epoch ?? 0);
    },
  });
  new client.Gauge({
    name: 'lb_elections_total',
    help: 'Elections this LB has run',
    registers: [registry],
    collect() {
      this.set(coordinator.electionsTotal);
    },
  });
  new client.Gauge({
    name: 'lb_forward_retries_total',
    help: 'Key-value request attempts after the first (another cluster, or after an election)',
    registers: [registry],
    collect() {
      this.set(forwarder.retries);
    },
  });

  new client.Gauge({
    name: 'lb_writer_fences_total',
    help: 'Writer fences raised: writes the LB gave up on, refused by the leader from then on',
    registers: [registry],
    collect() {
      this.set(fencer.fencesRaised);
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const end = requests.startTimer();
    res.on('finish', () => {
      // The matched route pattern keeps label cardinality bounded (not the raw path with keys in it).
      const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.path);
      end({ method: req.method, route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
    });
    next();
  };
  const handler: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  return { middleware, handler };
}
