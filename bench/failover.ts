// Failover benchmark (a report, not a test). A writer sends one write at a time through the LB
// while the leader fails, again and again; each time, the figure is the time from the fault to
// the acknowledgement of the first write sent after it. Cases:
//   process       SIGKILL of the leader's redis-server (processes, no Docker), restarted 1 s later
//   docker-kill   docker kill of the leader's container (./launch-env.sh 3), started again
//   docker-pause  docker pause of the leader's container for 3 s (no answer at all), then unpause
//   saturated     no fault: 60 s of load that keeps both cores busy; any election is a false one
// Usage: npm run bench:failover [-- --case all|process|docker-kill|docker-pause|saturated --rounds 10]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Harness, freePort, ROOT, sleep } from '../test/helpers/processes.ts';
import { startWriter } from '../test/helpers/chaos.ts';
import { containerWithIp, docker, run } from '../test/helpers/docker.ts';
import { table, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { case: { type: 'string', default: 'all' }, rounds: { type: 'string', default: '10' } } });
const rounds = Math.max(5, Number(values.rounds));
const wanted = values.case === 'all' ? ['process', 'docker-kill', 'docker-pause', 'saturated'] : [values.case!];
const RESULTS = path.join(ROOT, 'bench/results/failover.json');

interface CaseResult {
  date: string;
  rounds: number;
  timesMs: number[];
  medianMs: number;
  maxMs: number;
  acknowledgedWrites: number;
  lostWrites: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs `rounds` faults under one writer; `fault` breaks the leader and returns once it is broken. */
async function measure(lbUrl: string, fault: (round: number) => Promise<() => Promise<void>>): Promise<CaseResult> {
  const writer = startWriter(lbUrl, { prefix: `bench-${Date.now()}`, concurrency: 1, maxWrites: 10_000_000, maxMs: rounds * 60_000 });
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await sleep(2000);
    const heal = await fault(i);
    const at = Date.now(); // once the fault is in place
    const deadline = at + 30_000;
    while (writer.firstAckAfter(at) === null && Date.now() < deadline) await sleep(10);
    const first = writer.firstAckAfter(at);
    if (first === null) throw new Error(`round ${i + 1}: no write acknowledged within 30 s`);
    times.push(first - at);
    console.log(`  round ${i + 1}: first acknowledged write ${times.at(-1)} ms after the fault`);
    await heal();
  }
  await sleep(1500);
  const { acked } = await writer.stop();
  let lost = 0;
  for (const [key, value] of acked) {
    const r = (await (await fetch(`${lbUrl}/keys/${key}`)).json()) as { value?: string };
    if (r.value !== value) lost++;
  }
  return { date: new Date().toISOString(), rounds, timesMs: times, medianMs: median(times), maxMs: Math.max(...times), acknowledgedWrites: acked.size, lostWrites: lost };
}

async function processCase(): Promise<CaseResult> {
  const level = process.env.BENCH_LOG_LEVEL ?? 'warn';
  const h = await Harness.start(3, { lb: { LOG_LEVEL: level }, slave: { LOG_LEVEL: level } });
  try {
    return await measure(h.lbUrl, async () => {
      const leader = await h.leader();
      await leader.redis.kill('SIGKILL');
      setTimeout(() => (leader.redis = h.redisProc(leader.redisPort).start()), 1000);
      return async () => undefined;
    });
  } finally {
    await h.stopAll();
  }
}

/** Starts ./launch-env.sh 3 in its own project for the Docker cases; returns the LB URL and a stop function. */
async function dockerSystem() {
  const port = await freePort();
  const env = { LB_PORT: String(port), COMPOSE_PROJECT_NAME: 'hscale-bench', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', HSCALE_ENV_FILE: path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-bench-')), '.env') };
  const launch = (...args: string[]) => run(path.join(ROOT, 'launch-env.sh'), args, env);
  const up = await launch('3');
  if (up.code !== 0) throw new Error(`launch-env.sh failed: ${up.stderr}`);
  const lbUrl = `http://127.0.0.1:${port}`;
  const leaderContainer = async () => {
    const l = (await (await fetch(`${lbUrl}/leader`)).json()) as { address: string };
    return containerWithIp('hscale-bench', l.address);
  };
  const healthy = async () => {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const h = (await fetch(`${lbUrl}/health`).then((r) => r.json()).catch(() => null)) as { status: string; clusters: { healthy: number } } | null;
      if (h?.status === 'ok' && h.clusters.healthy === 3) return;
      await sleep(200);
    }
    throw new Error('the system did not recover within 90 s');
  };
  return { lbUrl, leaderContainer, healthy, down: () => launch('down') };
}

async function epochOf(lbUrl: string): Promise<number> {
  return ((await (await fetch(`${lbUrl}/leader`)).json()) as { epoch: number }).epoch;
}

async function dockerCase(kind: 'docker-kill' | 'docker-pause'): Promise<CaseResult> {
  const sys = await dockerSystem();
  try {
    return await measure(sys.lbUrl, async () => {
      const c = await sys.leaderContainer();
      if (kind === 'docker-kill') {
        await docker('kill', c.name);
        return async () => {
          await docker('start', c.name);
          await sys.healthy();
        };
      }
      await docker('pause', c.name);
      const pausedAt = Date.now();
      return async () => {
        await sleep(Math.max(0, pausedAt + 3000 - Date.now()));
        await docker('unpause', c.name);
        await sys.healthy();
        if (process.env.BENCH_LOG_LEVEL) {
          const lb = (await run('docker', ['ps', '-q', '--filter', 'label=com.docker.compose.project=hscale-bench', '--filter', 'label=com.docker.compose.service=lb'])).stdout.trim();
          const logs = (await run('docker', ['logs', '--since', '6s', lb])).stdout.split('\n').filter((l) => /leader check|elected|unhealthy|fenced|failed|retrying/.test(l));
          console.log(`  paused at ${new Date(pausedAt).toISOString()}\n    ${logs.map((l) => l.slice(0, 200)).join('\n    ')}`);
        }
      };
    });
  } finally {
    await sys.down();
  }
}

/** Load from 128 concurrent clients for 60 s (the LB, the slaves and the clients share 2 cores). */
async function saturatedCase(): Promise<{ date: string; seconds: number; requests: number; elections: number; epochBefore: number; epochAfter: number; loadAverage: number[] }> {
  const sys = await dockerSystem();
  try {
    const before = await epochOf(sys.lbUrl);
    let requests = 0;
    const end = Date.now() + 60_000;
    const client = async (n: number) => {
      for (let i = 0; Date.now() < end; i++) {
        const url = `${sys.lbUrl}/keys/load-${n}-${i % 50}`;
        await (i % 10 === 0 ? fetch(url, { method: 'PUT', body: 'x'.repeat(100) }) : fetch(url)).then((r) => r.arrayBuffer()).catch(() => undefined);
        requests++;
      }
    };
    await Promise.all(Array.from({ length: 128 }, (_, n) => client(n)));
    const after = await epochOf(sys.lbUrl);
    console.log(`  ${requests} requests in 60 s; epoch ${before} -> ${after}`);
    return { date: new Date().toISOString(), seconds: 60, requests, elections: after - before, epochBefore: before, epochAfter: after, loadAverage: os.loadavg() };
  } finally {
    await sys.down();
  }
}

let results: Record<string, unknown> = {};
try {
  results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  if ('timesMs' in results) results = {}; // the format of an older version
} catch {
  // first run
}
results.machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, ${os.platform()} ${os.release()}`;
for (const c of wanted) {
  console.log(`case ${c}:`);
  const r = c === 'process' ? await processCase() : c === 'saturated' ? await saturatedCase() : await dockerCase(c as 'docker-kill' | 'docker-pause');
  results[c] = r;
  if ('medianMs' in r) console.log(`case ${c}: median ${r.medianMs} ms, max ${r.maxMs} ms over ${r.rounds} rounds; ${r.acknowledgedWrites} acknowledged writes, ${r.lostWrites} lost`);
  else console.log(`case ${c}: ${r.elections} elections under load`);
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
}
const row = (name: string, what: string) => {
  const r = results[name] as CaseResult | undefined;
  return r && 'medianMs' in r ? [what, r.rounds, `${r.medianMs} ms`, `${r.maxMs} ms`, r.lostWrites, r.date.slice(0, 10)] : null;
};
const sat = results.saturated as { requests: number; seconds: number; elections: number; date: string } | undefined;
writeSection(
  'failover',
  `## Failover (\`npm run bench:failover\`)

${results.machine}. One writer sends one write at a time through the LB; the figure is the time from the fault to the
acknowledgement of the first write sent after it. Default settings.

${table(
  ['fault', 'rounds', 'median', 'max', 'acknowledged writes lost', 'date'],
  [
    row('process', 'SIGKILL of the leader\'s redis-server (processes)'),
    row('docker-kill', '\`docker kill\` of the leader\'s container'),
    row('docker-pause', '\`docker pause\` of the leader\'s container (silence)'),
  ].filter((r): r is (string | number)[] => r !== null),
)}
${sat ? `\nNo fault, both cores saturated (128 clients, ${sat.requests.toLocaleString('en')} requests in ${sat.seconds} s): **${sat.elections} elections** (${sat.date.slice(0, 10)}).\n` : ''}`,
);
console.log(`written to ${path.relative(process.cwd(), RESULTS)} and BENCHMARKS.md`);
