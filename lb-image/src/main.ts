// The load balancer: membership (DNS, static list, sign-ups), probes, elections, routing.
import { createServer } from 'node:http';
import { answerClientErrorsAsJson, createLogger, INTERNAL_BATCH_OPS, SettingsError, warnWhileInsecure } from '@hscale/common';
import { createLbApp } from './app.js';
import { ClusterView } from './cluster-view.js';
import { startDnsDiscovery } from './discovery.js';
import { Coordinator } from './election/coordinator.js';
import { LoopStalls } from './health/loop-stalls.js';
import { Prober } from './health/prober.js';
import { Batcher } from './routing/batcher.js';
import { Fencer } from './routing/fencer.js';
import { Forwarder } from './routing/forwarder.js';
import type { Member } from './membership/membership.js';
import { loadLbSettings } from './settings.js';
import { EventLog } from './events.js';
import { recordFleetEvents } from './fleet-events.js';

async function main(): Promise<void> {
  const s = loadLbSettings();
  const log = createLogger('lb', s.LOG_LEVEL);
  warnWhileInsecure(log, s.INSECURE_DEV_MODE);
  const stalls = new LoopStalls(Math.max(100, s.PROBE_TIMEOUT_MS / 2));
  stalls.start();
  const view = new ClusterView({ failureThreshold: s.FAILURE_THRESHOLD, probeTimeoutMs: s.PROBE_TIMEOUT_MS, clusterSecret: s.CLUSTER_SECRET, lbName: s.LB_NAME }, log, stalls);
  const coordinator = new Coordinator(view, { failureThreshold: s.FAILURE_THRESHOLD, assignTimeoutMs: Math.max(1000, 2 * s.PROBE_TIMEOUT_MS) }, log);
  const fencer: Fencer = new Fencer(view, (epoch): Member[] => forwarder.routable(epoch), log);
  const batcher = new Batcher(view, { timeoutMs: s.REQUEST_TIMEOUT_MS, maxInFlight: s.BATCHES_IN_FLIGHT, maxOps: INTERNAL_BATCH_OPS, maxBytes: 4 * 1024 * 1024 });
  const forwarder = new Forwarder(view, coordinator, fencer, batcher, { requestTimeoutMs: s.REQUEST_TIMEOUT_MS, leaderWaitMs: s.LEADER_WAIT_MS }, log);

  const events = new EventLog();
  events.record('lb-started', 'the LB started', { dns: s.CLUSTER_DNS_NAME || null, static: s.STATIC_CLUSTERS.length });
  recordFleetEvents(events, view, coordinator, fencer);

  if (s.STATIC_CLUSTERS.length > 0) view.replaceSource('static', s.STATIC_CLUSTERS);
  const dns = s.CLUSTER_DNS_NAME ? startDnsDiscovery(view, s.CLUSTER_DNS_NAME, s.CLUSTER_PORT, s.DNS_REFRESH_SECONDS, log) : null;
  if (!dns && s.STATIC_CLUSTERS.length === 0) log.warn('no CLUSTER_DNS_NAME and no STATIC_CLUSTERS: only signed-up servers will be used');

  const prober = new Prober(view, coordinator, { intervalMs: s.PROBE_INTERVAL_MS, leaderIntervalMs: s.LEADER_PROBE_INTERVAL_MS }, log);
  prober.start();

  // Slow clients hold a socket and some memory each: their headers must arrive within 10 s and the
  // whole request (up to a 1 MiB value) within 30 s. Idle keep-alive connections live 65 s (longer
  // than the idle timeouts of common proxies in front, so the proxy closes first).
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 65_000 }, createLbApp(s, view, coordinator, forwarder, fencer, batcher, events, log));
  answerClientErrorsAsJson(server);
  server.listen(s.PORT, () =>
    log.info('lb listening', { port: s.PORT, dns: s.CLUSTER_DNS_NAME || null, static: s.STATIC_CLUSTERS.length, threshold: s.FAILURE_THRESHOLD }),
  );

  const stop = (signal: string) => {
    log.info('stopping', { signal });
    prober.stop();
    dns?.stop();
    server.close();
    server.closeIdleConnections();
    void view.pools.closeAll().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err instanceof SettingsError ? err.message : err);
  process.exit(1);
});
