// Key-value benchmark (a report, not a test): our LB against nginx in the LB's seat (same
// slaves), against two of our LBs in front of the same slaves (the load split between them),
// against our LB with its key routes served by Express (KV_FAST_PATH=0), and against one slave directly, measured side by side in one run with wrk, for GET, PUT and a 90/10
// mix at several concurrencies; then POST /batch; then the Docker system as ./launch-env.sh 3
// starts it. Results: bench/results/kv.json, BENCHMARKS.md, bench/results/kv.svg.
// Usage: npm run bench:kv [-- --seconds 6] [--skip-docker]
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { containerCpuSeconds, processCpuSeconds } from './lib/cpu.ts';
import { startNginx } from './lib/nginx.ts';
import { lineChart, machine, table, writeSection } from './lib/report.ts';
import { wrk, type WrkResult, type Workload } from './lib/wrk.ts';
import { containers, run } from '../test/helpers/docker.ts';
import { freePort, Harness, ROOT, SECRET } from '../test/helpers/processes.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, 'skip-docker': { type: 'boolean', default: false } } });
const SECONDS = Number(values.seconds);
const CONCURRENCY = [16, 64, 256];
const WORKLOADS: Workload[] = ['get', 'put', 'mix'];
const KEYS = 1000;

type PathName = 'lb' | 'lb2' | 'express' | 'nginx' | 'direct';
interface Measured extends WrkResult {
  path: PathName | 'docker' | 'lb-batch';
  workload: Workload;
  connections: number;
  /** CPU seconds per 1,000 requests, per process (or container). */
  cpuPer1000: Record<string, number>;
}

async function ensureTools(): Promise<void> {
  const missing = [];
  for (const [cmd, pkg] of [['wrk', 'wrk'], ['nginx', 'nginx-light']] as const) {
    if ((await run('sh', ['-c', `command -v ${cmd}`])).code !== 0) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`bench:kv needs ${missing.join(' and ')}: sudo apt-get install ${missing.join(' ')}`);
  console.log(`installing ${missing.join(', ')} (Debian packages)`);
  const r = await run('sh', ['-c', `apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${missing.join(' ')} >/dev/null`]);
  if (r.code !== 0) throw new Error(`apt-get install failed: ${r.stderr}`);
}

async function preload(url: string): Promise<void> {
  for (let i = 0; i < KEYS; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => fetch(`${url}/keys/bench:${i + j}`, { method: 'PUT', body: 'v'.repeat(100) }).then((r) => r.arrayBuffer())));
  }
}

async function measure(pathName: Measured['path'], url: string, workload: Workload, c: number, cpu: Record<string, () => number | null>, headers = {}): Promise<Measured> {
  const before = Object.fromEntries(Object.entries(cpu).map(([k, f]) => [k, f()]));
  const r = await wrk(url, workload, c, SECONDS, { keys: KEYS, headers });
  const cpuPer1000: Record<string, number> = {};
  for (const [k, f] of Object.entries(cpu)) {
    const b = before[k];
    const a = f();
    if (a !== null && b !== null && b !== undefined) cpuPer1000[k] = Math.round(((a - b) / (r.requests / 1000)) * 1e4) / 1e4;
  }
  console.log(`  ${pathName.padEnd(8)} ${workload.padEnd(8)} c=${String(c).padEnd(3)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50ms.toFixed(1)} ms  p99 ${r.p99ms.toFixed(1)} ms  p99.9 ${r.p999ms.toFixed(1)} ms${r.errors + r.non2xx ? `  (${r.errors} errors, ${r.non2xx} non-2xx)` : ''}`);
  return { path: pathName, workload, connections: c, cpuPer1000, ...r };
}

/**
 * The same load spread over several LBs: one wrk per LB at the same time, the connections split
 * between them; requests added up, the worst of their latencies.
 */
async function measureSpread(urls: string[], workload: Workload, c: number, cpu: Record<string, () => number | null>): Promise<Measured> {
  const before = Object.fromEntries(Object.entries(cpu).map(([k, f]) => [k, f()]));
  const rs = await Promise.all(urls.map((u) => wrk(u, workload, Math.max(1, Math.round(c / urls.length)), SECONDS, { keys: KEYS })));
  const sum = (f: (r: WrkResult) => number) => rs.reduce((n, r) => n + f(r), 0);
  const max = (f: (r: WrkResult) => number) => Math.max(...rs.map(f));
  const r: WrkResult = { requests: sum((x) => x.requests), seconds: max((x) => x.seconds), rps: sum((x) => x.rps), p50ms: max((x) => x.p50ms), p99ms: max((x) => x.p99ms), p999ms: max((x) => x.p999ms), errors: sum((x) => x.errors), non2xx: sum((x) => x.non2xx) };
  const cpuPer1000: Record<string, number> = {};
  for (const [k, f] of Object.entries(cpu)) {
    const b = before[k];
    const a = f();
    if (a !== null && b !== null && b !== undefined) cpuPer1000[k] = Math.round(((a - b) / (r.requests / 1000)) * 1e4) / 1e4;
  }
  console.log(`  ${'lb2'.padEnd(8)} ${workload.padEnd(8)} c=${String(c).padEnd(3)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50ms.toFixed(1)} ms  p99 ${r.p99ms.toFixed(1)} ms  p99.9 ${r.p999ms.toFixed(1)} ms${r.errors + r.non2xx ? `  (${r.errors} errors, ${r.non2xx} non-2xx)` : ''}`);
  return { path: 'lb2', workload, connections: c, cpuPer1000, ...r };
}

async function processTopology(results: Measured[]): Promise<void> {
  console.log('==> processes: 3 clusters (redis-server + slave) and the LB, default settings');
  const h = await Harness.start(3, { lb: { LOG_LEVEL: 'info' }, slave: { LOG_LEVEL: 'info' } });
  const nginxPort = await freePort();
  // A second LB in front of the same slaves (README "Several LBs"): it follows the first one's leader.
  const second = await h.startExtraLb({ LOG_LEVEL: 'info' });
  // The same LB with GET, PUT and DELETE /keys/{key} served by Express: what the fast path (routes/fast-kv.ts) buys.
  const express = await h.startExtraLb({ LOG_LEVEL: 'info', KV_FAST_PATH: '0' });
  try {
    await h.waitFor(async () => (await fetch(`${second.url}/ready`)).status === 200 && (await fetch(`${express.url}/ready`)).status === 200, 15_000, 'the other LBs to follow the leader');
    await preload(h.lbUrl);
    const leader = (await (await fetch(`${h.lbUrl}/leader`)).json()) as { epoch: number };
    const nginx = await startNginx(nginxPort, h.clusters.map((c) => `127.0.0.1:${c.slavePort}`), leader.epoch, SECRET);
    try {
      const pid = (p: { child: { pid?: number } | null }) => () => processCpuSeconds(p.child!.pid!);
      const clusters = Object.fromEntries(h.clusters.flatMap((c, i) => [[`slave${i + 1}`, pid(c.slave)], [`redis${i + 1}`, pid(c.redis)]]));
      const first = h.clusters[0]!;
      const paths: Record<Exclude<PathName, 'lb2'>, { url: string; cpu: Record<string, () => number | null>; headers?: Record<string, string> }> = {
        lb: { url: h.lbUrl, cpu: { lb: pid(h.lb), ...clusters } },
        express: { url: express.url, cpu: { lb: pid(express.proc), ...clusters } },
        nginx: { url: `http://127.0.0.1:${nginxPort}`, cpu: { nginx: () => processCpuSeconds(nginx.workerPid()), ...clusters } },
        direct: {
          url: `http://127.0.0.1:${first.slavePort}`,
          cpu: clusters,
          headers: { authorization: `Bearer ${SECRET}`, 'x-leader-epoch': String(leader.epoch), 'x-writer': 'direct', 'x-writer-generation': '1', 'x-op-id': 'bench' },
        },
      };
      for (const p of Object.values(paths)) await wrk(p.url, 'mix', 64, 2, { keys: KEYS, headers: p.headers }); // warm-up (JIT)
      for (const workload of WORKLOADS) {
        for (const c of CONCURRENCY) {
          for (const [name, p] of Object.entries(paths) as [Exclude<PathName, 'lb2'>, (typeof paths)['lb']][]) results.push(await measure(name, p.url, workload, c, p.cpu, p.headers));
          results.push(await measureSpread([h.lbUrl, second.url], workload, c, { lb: pid(h.lb), lb2: pid(second.proc), ...clusters }));
        }
      }
      if ((await fetch(`${h.lbUrl}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ops":[]}' })).status !== 404) {
        for (const c of [16, 64]) results.push(await measure('lb-batch', h.lbUrl, 'batch100', c, paths.lb.cpu));
      }
    } finally {
      await nginx.stop();
    }
  } finally {
    await h.stopAll();
  }
}

async function dockerSystem(results: Measured[]): Promise<void> {
  console.log('==> Docker: ./launch-env.sh 3 (as a user starts it), wrk on the published port');
  const port = await freePort();
  const env = { LB_PORT: String(port), COMPOSE_PROJECT_NAME: 'hscale-benchkv', HSCALE_ENV_FILE: path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-benchkv-')), '.env') };
  const launch = (...args: string[]) => run(path.join(ROOT, 'launch-env.sh'), args, env);
  const up = await launch('3');
  if (up.code !== 0) throw new Error(`launch-env.sh failed: ${up.stderr}`);
  try {
    const url = `http://127.0.0.1:${port}`;
    await preload(url);
    const all = await containers('hscale-benchkv');
    const ids = await Promise.all(all.map(async (c) => ({ name: c.service === 'lb' ? 'lb' : c.name, id: (await run('docker', ['inspect', '-f', '{{.Id}}', c.id])).stdout.trim() })));
    const cpu = Object.fromEntries(ids.map(({ name, id }) => [name, () => containerCpuSeconds(id)]));
    await wrk(url, 'mix', 64, 2, { keys: KEYS });
    for (const workload of WORKLOADS) for (const c of CONCURRENCY) results.push(await measure('docker', url, workload, c, cpu));
  } finally {
    await launch('down');
  }
}

function report(results: Measured[]): void {
  const find = (p: Measured['path'], w: Workload, c: number) => results.find((r) => r.path === p && r.workload === w && r.connections === c);
  const date = new Date().toISOString().slice(0, 10);
  const rows: (string | number)[][] = [];
  for (const w of WORKLOADS) {
    for (const c of CONCURRENCY) {
      const [lb, lb2, ex, ng, di, dk] = (['lb', 'lb2', 'express', 'nginx', 'direct', 'docker'] as const).map((p) => find(p, w, c));
      const cell = (r?: Measured) => (r ? `${r.rps.toLocaleString('en')} (${r.p50ms.toFixed(1)} / ${r.p99ms.toFixed(1)} / ${r.p999ms.toFixed(1)})` : '–');
      rows.push([`${w.toUpperCase()} c=${c}`, cell(lb), cell(lb2), lb && lb2 ? `**${(lb2.rps / lb.rps).toFixed(2)}×**` : '–', cell(ex), lb && ex ? `**${(lb.rps / ex.rps).toFixed(2)}×**` : '–', cell(ng), cell(di), lb && ng ? `**${(lb.rps / ng.rps).toFixed(2)}×**` : '–', cell(dk)]);
    }
  }
  const cpuLines = results
    .filter((r) => r.connections === 64)
    .map((r) => `- ${r.path} ${r.workload}: ${Object.entries(r.cpuPer1000).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
  const batch = results.filter((r) => r.path === 'lb-batch');
  const batchLines = batch.map((b) => {
    const single = find('lb', 'get', b.connections);
    return `- \`POST /batch\` of 100 GETs, c=${b.connections}: ${(b.rps * 100).toLocaleString('en')} operations/s (${b.rps.toLocaleString('en')} batches/s, p99 ${b.p99ms.toFixed(1)} ms)${single ? `, **${((b.rps * 100) / single.rps).toFixed(1)}×** the single-GET operations/s` : ''}`;
  });
  writeSection(
    'kv',
    `## Key-value path (\`npm run bench:kv\`)

${machine()}; ${date}; wrk -t2, ${SECONDS} s per cell, 100-byte values, ${KEYS} keys, default settings (logging as shipped).
Three clusters run as processes; **LB** is ours, **two LBs** are two of ours in front of the same slaves (the
connections split between them, one wrk each, at the same time), **LB, Express path** is ours with \`KV_FAST_PATH=0\`
(\`GET\`, \`PUT\` and \`DELETE /keys/{key}\` through Express, as every other route; the ratio is what the raw
\`node:http\` path of \`lb-image/src/routes/fast-kv.ts\` buys, with the same parser, \`key-request.ts\`), **nginx** is nginx (1 worker, keep-alive upstream) in the
LB's seat in front of the same slaves, **direct** is one slave alone. **Docker** is the whole system as \`./launch-env.sh 3\`
starts it. Each cell: requests/s (p50 / p99 / p99.9 latency in ms). Ratios: two LBs' requests/s over one LB's, and our
LB's over nginx's. On this 2-core machine every process (the LBs, three slaves, three Redis, wrk) shares the same two
cores, so a second LB adds no core: it shows what the LB's share of the CPU costs, not the scaling a second machine gives.

${table(['workload', 'LB', 'two LBs', 'two / one', 'LB, Express path', 'fast / Express', 'nginx → same slaves', 'one slave directly', 'LB / nginx', 'Docker (launch-env.sh 3)'], rows)}

${batchLines.join('\n')}

CPU seconds per 1,000 requests at c=64, by process:

${cpuLines.join('\n')}

![requests/s by concurrency](bench/results/kv.svg)
`,
  );
  const colors: Record<string, string> = { lb: '#d62728', lb2: '#ff7f0e', nginx: '#1f77b4', direct: '#7f7f7f', docker: '#2ca02c' };
  const svg = lineChart(
    `Key-value requests/s by concurrency, ${date}`,
    CONCURRENCY.map((c) => `c=${c}`),
    WORKLOADS.map((w) => ({
      title: w === 'mix' ? '90% GET / 10% PUT' : w.toUpperCase(),
      series: (['lb', 'lb2', 'nginx', 'direct', 'docker'] as const)
        .filter((p) => CONCURRENCY.some((c) => find(p, w, c)))
        .map((p) => ({ name: { lb: 'our LB', lb2: 'two of our LBs', nginx: 'nginx → same slaves', direct: 'one slave directly', docker: 'Docker (launch-env.sh 3)' }[p], color: colors[p]!, points: CONCURRENCY.map((c, i) => [i, find(p, w, c)?.rps ?? 0] as [number, number]) })),
    })),
    'requests/s',
  );
  writeFileSync(path.join(ROOT, 'bench/results/kv.svg'), svg);
}

await ensureTools();
const build = await run('npm', ['run', '--silent', 'build'], {}, 300_000);
if (build.code !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
const started = Date.now();
const results: Measured[] = [];
await processTopology(results);
if (!values['skip-docker']) await dockerSystem(results);
writeFileSync(path.join(ROOT, 'bench/results/kv.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), seconds: SECONDS, results }, null, 2)}\n`);
report(results);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s: bench/results/kv.json, BENCHMARKS.md, bench/results/kv.svg`);
