import path from 'node:path';
import { Harness, Proc, ROOT, SECRET, ADMIN, freePort, waitForPort } from './test/helpers/processes.ts';
import { wrk } from './bench/lib/wrk.ts';
const target = process.argv[3] ?? 'lb';
const h = new Harness();
for (let i = 0; i < 3; i++) await h.addCluster({ LOG_LEVEL: 'info' });
if (target === 'slave') {
  const c = h.clusters[0]!;
  await c.slave.kill();
  c.slave = new Proc('slave', process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/slaveprof', path.join(ROOT, 'cluster-image/dist/main.js')], { PORT: String(c.slavePort), REDIS_PORT: String(c.redisPort), REDIS_PASSWORD: 'test-redis-password', ADVERTISE_ADDRESS: '127.0.0.1', CLUSTER_SECRET: SECRET, LOG_LEVEL: 'info' }).start();
  await waitForPort(c.slavePort);
}
h.lbPort = await freePort();
h.lb = new Proc('lb', process.execPath, [...(target === 'lb' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/lbprof'] : []), path.join(ROOT, 'lb-image/dist/main.js')], { PORT: String(h.lbPort), STATIC_CLUSTERS: h.clusters.map((c) => c.id).join(','), CLUSTER_SECRET: SECRET, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'info' }).start();
await waitForPort(h.lbPort);
await h.waitFor(async () => ((await (await fetch(`${h.lbUrl}/health`)).json()) as any).clusters.healthy === 3, 20000, 'ok');
for (let i = 0; i < 1000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => fetch(`${h.lbUrl}/keys/bench:${i + j}`, { method: 'PUT', body: 'v'.repeat(100) }).then((r) => r.arrayBuffer())));
console.log(await wrk(h.lbUrl, (process.argv[2] ?? 'get') as any, 64, 8));
await h.lb.kill('SIGINT');
for (const c of h.clusters) await c.slave.kill('SIGINT');
await new Promise((r) => setTimeout(r, 500));
await h.stopAll();
