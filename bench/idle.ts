// Idle-cost benchmark (a report, not a test): what the system costs at rest as N grows. For each
// N it starts ./launch-env.sh N from nothing (time to launch), leaves it alone for 30 s (CPU share
// of the machine and of each container, memory per cluster and of the LB), rescales to N+4 (time;
// N-4 at the cap of 64), and at N = 3 and N = 32 measures failovers (docker kill of the leader
// under one writer, 3 rounds, the median). At the largest N it watches the system for a few
// minutes: every cluster healthy, no election.
// Usage: npm run bench:idle [-- --sizes 3,12,32,64] [--rest 30] [--soak-minutes 5]
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { containerCpuSeconds, machineBusySeconds } from './lib/cpu.ts';
import { machine, table, writeSection } from './lib/report.ts';
import { containers, containerWithIp, docker, run } from '../test/helpers/docker.ts';
import { startWriter } from '../test/helpers/chaos.ts';
import { freePort, ROOT, sleep } from '../test/helpers/processes.ts';

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '3,12,32,64' }, rest: { type: 'string', default: '30' }, 'soak-minutes': { type: 'string', default: '5' } },
});
const SIZES = values.sizes!.split(',').map(Number);
const REST_S = Number(values.rest);
const PROJECT = 'hscale-idle';
const MAX_N = 64; // launch-env.sh's limit
const FAILOVER_AT = [3, 32];
const FAILOVER_ROUNDS = 3;

interface SizeResult {
  n: number;
  launchSeconds: number;
  machineCpuShare: number; // of all cores, at rest
  clusterCpuPercentOfCore: number; // average per cluster container, % of one core
  lbCpuPercentOfCore: number;
  memoryPerClusterMB: number;
  lbMemoryMB: number;
  rescaleTo: number; // N+4, or N-4 at the cap
  rescaleSeconds: number;
  failoverMs?: number[];
}

const port = await freePort();
const env = { LB_PORT: String(port), COMPOSE_PROJECT_NAME: PROJECT, HSCALE_ENV_FILE: path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-idle-')), '.env') };
const lbUrl = `http://127.0.0.1:${port}`;
const launch = async (...args: string[]) => {
  const started = Date.now();
  const r = await run(path.join(ROOT, 'launch-env.sh'), args, env, 1_200_000);
  if (r.code !== 0) throw new Error(`launch-env.sh ${args.join(' ')} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return (Date.now() - started) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const epoch = async () => ((await (await fetch(`${lbUrl}/leader`)).json()) as { epoch: number }).epoch;

/** MB of memory each container uses now (docker stats). */
async function memoryMB(): Promise<Map<string, number>> {
  const out = await docker('stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}');
  const units: Record<string, number> = { B: 1 / 2 ** 20, KiB: 1 / 1024, MiB: 1, GiB: 1024 };
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const x = /^(\S+) ([\d.]+)(B|KiB|MiB|GiB) \//.exec(line);
    if (x) m.set(x[1]!, Number(x[2]) * units[x[3]!]!);
  }
  return m;
}

async function atRest(n: number): Promise<Omit<SizeResult, 'n' | 'launchSeconds' | 'rescaleTo' | 'rescaleSeconds'>> {
  await sleep(5000); // let start-up settle
  const all = await containers(PROJECT);
  const ids = await Promise.all(all.map(async (c) => ({ c, id: (await docker('inspect', '-f', '{{.Id}}', c.id)).trim() })));
  const cpu0 = ids.map(({ id }) => containerCpuSeconds(id));
  const m0 = machineBusySeconds();
  const started = Date.now();
  await sleep(REST_S * 1000);
  const seconds = (Date.now() - started) / 1000;
  const m1 = machineBusySeconds();
  const cpu1 = ids.map(({ id }) => containerCpuSeconds(id));
  const share = (i: number) => (cpu0[i] === null || cpu1[i] === null ? NaN : ((cpu1[i]! - cpu0[i]!) / seconds) * 100);
  const clusterShares = ids.map((x, i) => ({ x, s: share(i) })).filter(({ x }) => x.c.service === 'cluster').map(({ s }) => s);
  const lbShare = ids.map((x, i) => ({ x, s: share(i) })).find(({ x }) => x.c.service === 'lb')?.s ?? NaN;
  const mem = await memoryMB();
  const clusterMem = all.filter((c) => c.service === 'cluster').map((c) => mem.get(c.name) ?? NaN);
  const lbMem = mem.get(all.find((c) => c.service === 'lb')!.name) ?? NaN;
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const r = {
    machineCpuShare: ((m1.busy - m0.busy) / (seconds * m0.cores)) * 100,
    clusterCpuPercentOfCore: avg(clusterShares),
    lbCpuPercentOfCore: lbShare,
    memoryPerClusterMB: avg(clusterMem),
    lbMemoryMB: lbMem,
  };
  console.log(`  N=${n} at rest ${REST_S} s: machine ${r.machineCpuShare.toFixed(1)}% busy; per cluster ${r.clusterCpuPercentOfCore.toFixed(2)}% of a core, ${r.memoryPerClusterMB.toFixed(0)} MB; LB ${r.lbCpuPercentOfCore.toFixed(2)}%, ${r.lbMemoryMB.toFixed(0)} MB`);
  return r;
}

async function failover(): Promise<number> {
  const writer = startWriter(lbUrl, { prefix: `idle-failover-${Date.now()}`, concurrency: 1, maxWrites: 1_000_000, maxMs: 60_000 });
  await sleep(2000);
  const l = (await (await fetch(`${lbUrl}/leader`)).json()) as { address: string };
  await docker('kill', (await containerWithIp(PROJECT, l.address)).name);
  const at = Date.now();
  while (writer.firstAckAfter(at) === null && Date.now() - at < 30_000) await sleep(10);
  const first = writer.firstAckAfter(at);
  await writer.stop();
  if (first === null) throw new Error('no write acknowledged within 30 s of the kill');
  return first - at;
}

async function soak(minutes: number, n: number): Promise<{ minutes: number; elections: number; alwaysHealthy: boolean }> {
  const e0 = await epoch();
  let alwaysHealthy = true;
  const end = Date.now() + minutes * 60_000;
  while (Date.now() < end) {
    const h = (await (await fetch(`${lbUrl}/health`)).json()) as { status: string; clusters: { healthy: number } };
    if (h.status !== 'ok' || h.clusters.healthy !== n) alwaysHealthy = false;
    await sleep(1000);
  }
  return { minutes, elections: (await epoch()) - e0, alwaysHealthy };
}

const results: SizeResult[] = [];
let soaked: Awaited<ReturnType<typeof soak>> | null = null;
try {
  await launch('down');
  let built = false;
  for (const n of SIZES) {
    console.log(`==> N = ${n}`);
    await launch('down');
    const launchSeconds = await launch(String(n), ...(built ? ['--no-build'] : []));
    built = true;
    console.log(`  launched in ${launchSeconds.toFixed(1)} s`);
    const rest = await atRest(n);
    const failoverMs: number[] = [];
    for (let round = 0; FAILOVER_AT.includes(n) && round < FAILOVER_ROUNDS; round++) {
      failoverMs.push(await failover());
      await launch(String(n), '--no-build'); // the killed container back
      await sleep(5000); // it rejoins as a follower
    }
    if (failoverMs.length) console.log(`  failover at N=${n}: first acknowledged write ${failoverMs.join(', ')} ms after docker kill of the leader`);
    const rescaleTo = n + 4 <= MAX_N ? n + 4 : n - 4;
    const rescaleSeconds = await launch(String(rescaleTo), '--no-build');
    console.log(`  rescaled ${n} -> ${rescaleTo} in ${rescaleSeconds.toFixed(1)} s`);
    results.push({ n, launchSeconds, rescaleTo, rescaleSeconds, ...rest, ...(failoverMs.length ? { failoverMs } : {}) });
    writeFileSync(path.join(ROOT, 'bench/results/idle.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), restSeconds: REST_S, results, soak: soaked }, null, 2)}\n`);
  }
  const largest = SIZES[SIZES.length - 1]!;
  const minutes = Number(values['soak-minutes']);
  if (minutes > 0) {
    await launch(String(largest), '--no-build');
    console.log(`==> N = ${largest} left alone for ${minutes} minutes`);
    soaked = await soak(minutes, largest);
    console.log(`  ${soaked.elections} elections; every cluster healthy throughout: ${soaked.alwaysHealthy}`);
  }
} finally {
  await launch('down').catch(() => undefined);
}

writeFileSync(path.join(ROOT, 'bench/results/idle.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), restSeconds: REST_S, results, soak: soaked }, null, 2)}\n`);
writeSection(
  'idle',
  `## Cost at rest (\`npm run bench:idle\`)

${machine()}; ${new Date().toISOString().slice(0, 10)}. \`./launch-env.sh N\` from nothing, then ${REST_S} s without traffic.
CPU: share of the whole machine, and per container in % of one core (cgroup CPU time). Memory: \`docker stats\`.

${table(
  ['N', 'launch', 'machine busy at rest', 'per cluster CPU', 'per cluster memory', 'LB CPU', 'LB memory', 'rescale', 'failover (docker kill), median of 3'],
  results.map((r) => [
    r.n,
    `${r.launchSeconds.toFixed(0)} s`,
    `${r.machineCpuShare.toFixed(1)}%`,
    `${r.clusterCpuPercentOfCore.toFixed(2)}%`,
    `${r.memoryPerClusterMB.toFixed(0)} MB`,
    `${r.lbCpuPercentOfCore.toFixed(2)}%`,
    `${r.lbMemoryMB.toFixed(0)} MB`,
    `to ${r.rescaleTo}: ${r.rescaleSeconds.toFixed(0)} s`,
    r.failoverMs === undefined ? '' : `${median(r.failoverMs)} ms (${r.failoverMs.join(', ')})`,
  ]),
)}
${soaked ? `\nN = ${SIZES[SIZES.length - 1]} left alone for ${soaked.minutes} minutes: ${soaked.elections} elections, every cluster healthy throughout: ${soaked.alwaysHealthy ? 'yes' : 'no'}.\n` : ''}`,
);
console.log('written to bench/results/idle.json and BENCHMARKS.md');
