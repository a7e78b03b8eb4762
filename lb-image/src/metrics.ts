// Prometheus metrics (prom-client): request counts and latency, cluster and election gauges.
import client from 'prom-client';
import type { RequestHandler } from 'express';
import type { ClusterView } from './cluster-view.js';
import type { Coordinator, Elected } from './election/coordinator.js';
import { isEventStream } from '@hscale/common';
import type { Batcher } from './routing/batcher.js';
import type { Fencer } from './routing/fencer.js';
import type { Forwarder } from './routing/forwarder.js';
import type { TrafficWindow } from './traffic.js';

const KNOWN_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(view: ClusterView, coordinator: Coordinator, forwarder: Forwarder, fencer: Fencer, batcher: Batcher, traffic: TrafficWindow) {
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
  // Counts the parts keep themselves, exposed as Prometheus counters (read when scraped).
  const counterOf = (name: string, help: string, read: () => number) =>
    new client.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counterOf('lb_elections_total', 'Elections this LB has run', () => coordinator.electionsTotal);
  counterOf('lb_forward_retries_total', 'Key-value request attempts after the first (another cluster, or after an election)', () => forwarder.retries);
  counterOf('lb_writer_fences_total', 'Writer fences raised: writes the LB gave up on, refused by the leader from then on', () => fencer.fencesRaised);
  counterOf('lb_kv_batches_total', 'Batches of key-value operations sent to slaves', () => batcher.batchesSent);
  counterOf('lb_kv_batched_operations_total', 'Key-value operations sent to slaves in batches', () => batcher.opsSent);

  const durations = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32];
  const electionSeconds = new client.Histogram({ name: 'lb_election_duration_seconds', help: 'From the start of an election to the new leader in place', buckets: durations, registers: [registry] });
  const failoverSeconds = new client.Histogram({ name: 'lb_failover_duration_seconds', help: "From a failed leader's last sign of life to its successor in place", buckets: durations, registers: [registry] });
  coordinator.on('elected', (e: Elected) => {
    electionSeconds.observe(e.electionMs / 1000);
    if (e.failoverMs !== null) failoverSeconds.observe(e.failoverMs / 1000);
  });
  const bands = new client.Counter({ name: 'lb_render_bands_total', help: 'Mandelbrot bands rendered, by cluster', labelNames: ['cluster'], registers: [registry] });
  const tiles = new client.Counter({ name: 'lb_tiles_rendered_total', help: 'Map tiles rendered, by cluster', labelNames: ['cluster'], registers: [registry] });
  const tileCache = new client.Counter({ name: 'lb_tile_cache_total', help: 'Tile requests answered from the cache (hit) or rendered (miss)', labelNames: ['result'], registers: [registry] });


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
  new client.Counter({
    name: 'lb_redis_evicted_keys_total',
    help: "Keys each cluster's Redis evicted to make room (EVICTION=lru) since it started",
    labelNames: ['cluster'],
    registers: [registry],
    collect() {
      this.reset();
      for (const m of view.table.list()) {
        const mem = m.health?.redis.memory;
        if (mem) this.inc({ cluster: m.id }, mem.evictedKeys);
      }
    },
  });

  /** One request served: route is the matched pattern, so that label values stay few (never a raw path). */
  const observe = (method: string, route: string, status: number, seconds: number) => {
    requests.observe({ method: KNOWN_METHODS.has(method) ? method : 'other', route, status: String(status) }, seconds);
    traffic.record(method, route, status, seconds);
  };
  const middleware: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      // A live stream lasts as long as its viewer: not a request duration worth a histogram.
      if (isEventStream(res)) return;
      const route = req.route?.path as string | undefined;
      observe(req.method, route ? `${req.baseUrl}${route}` : 'unmatched', res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  };
  const handler: RequestHandler = async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  return {
    middleware,
    handler,
    observe,
    bandsRendered: (byCluster: Record<string, number>) => {
      for (const [cluster, n] of Object.entries(byCluster)) bands.inc({ cluster }, n);
    },
    tileRendered: (cluster: string) => tiles.inc({ cluster }),
    tileCache: (result: 'hit' | 'miss') => tileCache.inc({ result }),
  };
}
