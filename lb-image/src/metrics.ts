// Prometheus metrics (prom-client): request counts and latency, cluster and election gauges.
import client from 'prom-client';
import type { RequestHandler } from 'express';
import type { ClusterView } from './cluster-view.js';
import type { Coordinator } from './election/coordinator.js';
import type { Batcher } from './routing/batcher.js';
import type { Fencer } from './routing/fencer.js';
import type { Forwarder } from './routing/forwarder.js';

const KNOWN_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(view: ClusterView, coordinator: Coordinator, forwarder: Forwarder, fencer: Fencer, batcher: Batcher) {
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

  new client.Gauge({
    name: 'lb_kv_batches_total',
    help: 'Batches of key-value operations sent to slaves, and the operations they carried',
    labelNames: ['count'],
    registers: [registry],
    collect() {
      this.set({ count: 'batches' }, batcher.batchesSent);
      this.set({ count: 'operations' }, batcher.opsSent);
    },
  });

  // Each Redis's memory and evictions, from the clusters' last health reports (one series per
  // cluster: bounded by the membership).
  new client.Gauge({
    name: 'lb_redis_memory_bytes',
    help: "Each cluster's Redis: data in memory (used) and its bound (max, 0 = none)",
    labelNames: ['cluster', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of view.table.list()) {
        const mem = m.health?.redis.memory;
        if (!mem) continue;
        this.set({ cluster: m.id, kind: 'used' }, mem.used);
        this.set({ cluster: m.id, kind: 'max' }, mem.max);
      }
    },
  });
  new client.Gauge({
    name: 'lb_redis_evicted_keys',
    help: "Keys each cluster's Redis evicted to make room (EVICTION=lru) since it started",
    labelNames: ['cluster'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of view.table.list()) {
        const mem = m.health?.redis.memory;
        if (mem) this.set({ cluster: m.id }, mem.evictedKeys);
      }
    },
  });

  /** One request served: route is the matched pattern, so that label values stay few (never a raw path). */
  const observe = (method: string, route: string, status: number, seconds: number) => {
    requests.observe({ method: KNOWN_METHODS.has(method) ? method : 'other', route, status: String(status) }, seconds);
  };
  const middleware: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const route = req.route?.path as string | undefined;
      observe(req.method, route ? `${req.baseUrl}${route}` : 'unmatched', res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  };
  const handler: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  return { middleware, handler, observe };
}
