// npm run chaos -- [--minutes M | --per-kind K] [--seed S] [--clusters N] [--lbs L] [--keep] [--report FILE] [--history FILE]
// npm run chaos -- --check FILE   (check a saved history again, without Docker)
//
// A fault-injection run against the real system: ./launch-env.sh starts it in its own compose
// project, clients read, write and delete through the LBs and record every operation, a nemesis
// injects faults at random (seeded), and at the end the checker (checker.ts) looks for anomalies
// in the history, in what each cluster claimed, and in each cluster's final data.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docker, run } from '../helpers/docker.ts';
import { freePort, ROOT } from '../helpers/processes.ts';
import { checkRun, type Op, type RunRecord } from './checker.ts';
import { clusterIndex, finalData, leadershipLog, startSightings } from './observe.ts';
import { FAULT_KINDS, lbContainers, Nemesis, type FaultKind, type FaultRecord } from './nemesis.ts';
import { runOp, seeded, startWorkload, type Random } from './workload.ts';

export interface ChaosOptions {
  /** Faults of each kind, in a shuffled order (the short form), or ... */
  perKind?: number;
  /** ... random faults until this many minutes have passed. */
  minutes?: number;
  seed: number;
  clusters: number;
  /** LBs in front of the clusters (./launch-env.sh --lbs). */
  lbs: number;
  keys: number;
  clients: number;
  /** Leave the system running afterwards. */
  keep: boolean;
  /** Where to write the report (JSON). */
  report?: string;
  /** Where to write the whole history (JSON), to check it again with --check. */
  history?: string;
  /** The checkout whose launch-env.sh starts the system (to run against another version). */
  root: string;
  log: (line: string) => void;
}

/** What the faults of one kind did: the share of operations answered while they lasted, and the elections. */
export interface KindSummary {
  faults: number;
  operations: number;
  /** Operations started during a fault of this kind (until recovery) that succeeded, as a fraction. */
  availability: number;
  elections: number;
}

export interface ChaosReport {
  seed: number;
  clusters: number;
  lbs: number;
  /** Operations that succeeded, as a fraction of all. */
  availability: number;
  byKind: Record<string, KindSummary>;
  seconds: number;
  operations: { total: number; ok: number; unknown: number; fail: number; reads: number; writes: number };
  faults: FaultRecord[];
  faultsByKind: Record<string, number>;
  malformedRequests: number;
  unrecovered: number;
  epochs: number;
  listings: number;
  /** Counter steps (increments and compare-and-set) tried, and acknowledged. */
  counterSteps: number;
  counterStepsOk: number;
  anomalies: { kind: string; detail: string }[];
  keys: number;
  opsChecked: number;
  opsUnchecked: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long the LB of `root` may work on a request before it has given up on every attempt: its
 * deadline (2 attempts' timeouts plus the wait for a leader), one more attempt that started just
 * before the deadline, one attempt's wait in the queue to the slave, and a second of slack.
 */
export function lbGiveUpMs(root: string): number {
  const lb = JSON.parse(readFileSync(path.join(root, 'config', 'lb.json'), 'utf8')) as { REQUEST_TIMEOUT_MS: number; LEADER_WAIT_MS: number };
  return 4 * lb.REQUEST_TIMEOUT_MS + lb.LEADER_WAIT_MS + 1000;
}

function shuffledDeck(perKind: number, random: Random): FaultKind[] {
  const deck = FAULT_KINDS.flatMap((k) => Array.from({ length: perKind }, () => k));
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  return deck;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const random = seeded(o.seed);
  const project = 'hscale-chaos';
  const port = await freePort();
  const lbUrl = `http://127.0.0.1:${port}`;
  const env = {
    LB_PORT: String(port),
    LB_EXTRA_PORTS: process.env.HSCALE_CHAOS_EXTRA_PORTS ?? '18081-18099',
    COMPOSE_PROJECT_NAME: project,
    HSCALE_ENV_FILE: path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-chaos-')), '.env'),
  };
  const launch = (...args: string[]) => run(path.join(o.root, 'launch-env.sh'), args, env);
  const started = Date.now();
  o.log(`==> ./launch-env.sh ${o.clusters} --lbs ${o.lbs} (project ${project}, ${lbUrl})`);
  const up = await launch(String(o.clusters), '--lbs', String(o.lbs), ...(process.env.HSCALE_CHAOS_NO_BUILD ? ['--no-build'] : []));
  if (up.code !== 0) throw new Error(`launch-env.sh failed:\n${up.stdout}\n${up.stderr}`);

  // Every LB's URL: the first on LB_PORT, the others on the ports Docker published (looked up
  // again after an LB fault: a restarted extra LB may come back on another port of the range).
  let lbUrls = [lbUrl];
  const refreshLbUrls = async () => {
    const extra = (await lbContainers(project).catch(() => [])).filter((c) => c.service === 'lb-extra');
    const ports = await Promise.all(extra.map((c) => docker('port', c.id, '8080/tcp').then((p) => p.split('\n')[0]!.split(':').pop()!, () => null)));
    lbUrls = [lbUrl, ...ports.filter((p): p is string => !!p).map((p) => `http://127.0.0.1:${p}`)];
  };
  await refreshLbUrls();
  o.log(`    LBs: ${lbUrls.join(' ')}`);
  const nemesis = new Nemesis(project, () => lbUrls, refreshLbUrls, o.clusters, random);
  const prefix = `chaos:${o.seed}:`;
  const keys = Array.from({ length: o.keys }, (_, i) => `${prefix}k${i}`);
  const faults: FaultRecord[] = [];
  try {
    const watch = startSightings(project);
    // Counters under their own prefix: the listings of the run's keys must not see them.
    const counterKeys = [`chaos-counter:${o.seed}:a`, `chaos-counter:${o.seed}:b`];
    const workload = startWorkload(() => lbUrls, prefix, keys, counterKeys, o.clients, seeded(o.seed + 1));
    const runStart = Date.now();
    const deck = o.perKind ? shuffledDeck(o.perKind, random) : [];
    const more = () => (o.perKind ? faults.length < deck.length : Date.now() - runStart < (o.minutes ?? 1) * 60_000);
    o.log(`==> ${o.clients} clients on ${o.keys} keys; faults: ${o.perKind ? `${deck.length} (${o.perKind} of each kind)` : `for ${o.minutes} min`}; seed ${o.seed}`);
    while (more()) {
      const kind = o.perKind ? deck[faults.length]! : FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)]!;
      const f = await nemesis.inject(kind);
      faults.push(f);
      const elapsed = ((Date.now() - runStart) / 1000).toFixed(0);
      o.log(`    [${elapsed.padStart(4)}s] ${f.kind.padEnd(15)} ${f.role.padEnd(8)} ${f.target.padEnd(26)} held ${String(f.heldMs).padStart(4)} ms, recovered ${f.recoveredMs === null ? 'NOT within 90 s' : `in ${f.recoveredMs} ms`}, epoch ${f.epochBefore} -> ${f.epochAfter} (${workload.ops.length} ops)`);
      await sleep(300 + random() * 1000);
    }
    await nemesis.healAll();
    await nemesis.recovered();
    await workload.stop();
    // Final reads, after every fault is healed: each must see the last write that took effect.
    // Through every LB: each must answer with the fleet's data.
    const finals = await Promise.all(lbUrls.flatMap((url) => keys.map((key) => runOp(url, { client: 0, key, kind: 'get' }, true))));
    const counterFinals = Object.fromEntries(
      await Promise.all(counterKeys.map(async (key) => {
        // Read until answered: "no answer" would read as "no value" (the faults are healed by now).
        let r = await runOp(lbUrl, { client: 0, key, kind: 'get' }, true);
        for (let i = 0; i < 20 && r.outcome !== 'ok'; i++) {
          await sleep(500);
          r = await runOp(lbUrl, { client: 0, key, kind: 'get' }, true);
        }
        return [key, r.outcome === 'ok' && r.result != null ? Number(r.result) : null] as const;
      })),
    );
    const finalState = await finalData(project, lbUrl, keys, o.log);
    const indexes = await Promise.all(
      [finalState.leader, ...finalState.others].map(async (c) => ({
        cluster: c.cluster,
        present: keys.filter((k) => c.data[k] != null),
        indexed: await clusterIndex(c.cluster, prefix),
      })),
    );
    await watch.stop();

    const ops: Op[] = [...workload.ops, ...finals];
    const record: RunRecord = {
      ops, sightings: watch.sightings, finalData: finalState, malformed: nemesis.malformed, listings: workload.listings, listedKeys: keys, indexes,
      counterOps: workload.counterOps, counterFinals,
    };
    if (o.history) writeFileSync(o.history, JSON.stringify({ giveUpMs: lbGiveUpMs(o.root), ...record }));
    const verdict = checkRun(record, { giveUpMs: lbGiveUpMs(o.root) });
    // Two leaders of one epoch: what every part logged of that epoch and the one before, to tell how.
    const split = verdict.anomalies.flatMap((a) => (a.kind === 'split-brain' ? [Number(/epoch (\d+)/.exec(a.detail)?.[1])] : []));
    if (split.length > 0) {
      o.log('==> what the LBs and slaves logged of the epochs led twice, and the one before each:');
      for (const line of await leadershipLog(project, split.flatMap((e) => [e - 1, e])).catch((err: Error) => [`(could not read the logs: ${err.message})`])) o.log(`    ${line}`);
    }
    const count = (f: (op: Op) => boolean) => ops.filter(f).length;
    const report: ChaosReport = {
      seed: o.seed,
      clusters: o.clusters,
      lbs: o.lbs,
      availability: count((x) => x.outcome === 'ok') / Math.max(1, workload.ops.length),
      byKind: summarizeKinds(faults, workload.ops),
      seconds: Math.round((Date.now() - runStart) / 1000),
      operations: {
        total: ops.length,
        ok: count((x) => x.outcome === 'ok'),
        unknown: count((x) => x.outcome === 'unknown'),
        fail: count((x) => x.outcome === 'fail'),
        reads: count((x) => x.kind === 'get'),
        writes: count((x) => x.kind !== 'get'),
      },
      faults,
      faultsByKind: Object.fromEntries(FAULT_KINDS.map((k) => [k, faults.filter((f) => f.kind === k).length])),
      malformedRequests: nemesis.malformed.length,
      unrecovered: faults.filter((f) => f.recoveredMs === null).length,
      epochs: new Set(watch.sightings.map((s) => s.epoch)).size,
      listings: workload.listings.length,
      counterSteps: workload.counterOps.length,
      counterStepsOk: workload.counterOps.filter((c) => c.outcome === 'ok').length,
      anomalies: verdict.anomalies,
      keys: verdict.keys,
      opsChecked: verdict.opsChecked,
      opsUnchecked: verdict.opsUnchecked,
    };
    if (o.report) writeFileSync(o.report, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    if (!o.keep) {
      await nemesis.healAll().catch(() => undefined);
      await launch('down');
    }
    o.log(`==> chaos run finished in ${((Date.now() - started) / 1000).toFixed(0)} s${o.keep ? ` (system left running: ${lbUrl})` : ''}`);
  }
}

/** Per fault kind: the operations started while a fault of that kind lasted (until recovery), and the epochs it moved. */
export function summarizeKinds(faults: FaultRecord[], ops: Op[]): Record<string, KindSummary> {
  const out: Record<string, KindSummary> = {};
  for (const kind of FAULT_KINDS) {
    const of = faults.filter((f) => f.kind === kind);
    const during = ops.filter((o) => of.some((f) => o.start >= f.startAt && o.start <= f.endAt));
    out[kind] = {
      faults: of.length,
      operations: during.length,
      availability: during.length ? during.filter((o) => o.outcome === 'ok').length / during.length : 1,
      elections: of.reduce((n, f) => n + Math.max(0, f.epochAfter - f.epochBefore), 0),
    };
  }
  return out;
}

export function summarize(r: ChaosReport): string {
  const kinds = Object.entries(r.faultsByKind).map(([k, n]) => `${k} ${n}`).join(', ');
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const byKind = Object.entries(r.byKind)
    .filter(([, k]) => k.faults > 0)
    .map(([kind, k]) => `  ${kind.padEnd(15)} ${String(k.faults).padStart(3)} faults, ${String(k.operations).padStart(6)} ops during them, ${pct(k.availability).padStart(6)} answered, ${k.elections} epochs moved`);
  return [
    `${r.lbs} LB${r.lbs > 1 ? 's' : ''} in front of ${r.clusters} clusters; availability ${pct(r.availability)} of all operations`,
    ...byKind,
    `operations: ${r.operations.total} (${r.operations.reads} reads, ${r.operations.writes} writes; ${r.operations.ok} ok, ${r.operations.unknown} without a definite answer, ${r.operations.fail} refused)`,
    `faults: ${r.faults.length} in ${r.seconds} s (${kinds}); ${r.malformedRequests} malformed requests; ${r.unrecovered} not recovered within 90 s`,
    `epochs seen: ${r.epochs}; keys checked: ${r.keys}, operations checked for linearizability: ${r.opsChecked} (${r.opsUnchecked} of them in stretches too tangled to search); listings checked: ${r.listings}; counter steps: ${r.counterSteps} (${r.counterStepsOk} acknowledged)`,
    `anomalies: ${r.anomalies.length}${r.anomalies.map((a) => `\n  - ${a.kind}: ${a.detail}`).join('')}`,
  ].join('\n');
}

/** Checks a history saved with --history again (for example after changing the checker). */
function checkSaved(file: string): number {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as RunRecord & { giveUpMs: number };
  const started = Date.now();
  const v = checkRun(saved, { giveUpMs: saved.giveUpMs });
  console.log(`${saved.ops.length} operations on ${v.keys} keys (${v.opsChecked} checked, ${v.opsUnchecked} left unchecked) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`anomalies: ${v.anomalies.length}${v.anomalies.map((a) => `\n  - ${a.kind}: ${a.detail}`).join('')}`);
  return v.anomalies.length > 0 ? 1 : 0;
}

function parseArgs(argv: string[]): ChaosOptions & { check?: string } {
  const o: ChaosOptions & { check?: string } = { seed: 1, clusters: 3, lbs: 1, keys: 8, clients: 6, keep: false, root: ROOT, log: (s) => console.log(s) };
  const num = (v: string | undefined, name: string) => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--minutes') o.minutes = num(argv[++i], a);
    else if (a === '--per-kind') o.perKind = num(argv[++i], a);
    else if (a === '--seed') o.seed = num(argv[++i], a);
    else if (a === '--clusters') o.clusters = num(argv[++i], a);
    else if (a === '--lbs') o.lbs = num(argv[++i], a);
    else if (a === '--keys') o.keys = num(argv[++i], a);
    else if (a === '--keep') o.keep = true;
    else if (a === '--report') o.report = path.resolve(argv[++i] ?? '');
    else if (a === '--history') o.history = path.resolve(argv[++i] ?? '');
    else if (a === '--check') o.check = path.resolve(argv[++i] ?? '');
    else if (a === '--root') o.root = path.resolve(argv[++i] ?? '');
    else if (a === '-h' || a === '--help') {
      console.log(`Usage: npm run chaos -- [--minutes M | --per-kind K] [--seed S] [--clusters N] [--lbs L] [--keys K] [--keep] [--report FILE] [--history FILE] [--root DIR]
       npm run chaos -- --check FILE

  --minutes M    random faults for M minutes
  --per-kind K   K faults of each of the ${FAULT_KINDS.length} kinds, in a shuffled order (default 10)
  --seed S       seed of every random choice (default 1)
  --clusters N   clusters to start (default 3)
  --lbs L        LBs to start (default 1); clients spread their requests over all of them
  --keys K       keys the clients work on (default 8)
  --keep         leave the system running afterwards
  --report FILE  write the full report (JSON) there
  --history FILE write every recorded operation (JSON) there
  --check FILE   check a history written by --history again (no Docker needed)
  --root DIR     start the system from another checkout (to compare versions)

Fault kinds: ${FAULT_KINDS.join(', ')}.
Needs Docker; starts its own compose project (hscale-chaos) on a free port.`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (!o.minutes && !o.perKind) o.perKind = 10;
  return o;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = parseArgs(process.argv.slice(2));
  if (o.check) process.exit(checkSaved(o.check));
  runChaos(o)
    .then((r) => {
      console.log(summarize(r));
      process.exitCode = r.anomalies.length > 0 || r.unrecovered > 0 ? 1 : 0;
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 2;
    });
}
