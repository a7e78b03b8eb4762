// Mandelbrot benchmark (a report, not a test): per-core kernel speed against the plain C loop
// (gcc -O2) on the same view, and megapixels per second through the LB for 1, 2 and 3 clusters.
// Usage: npm run bench:mandelbrot [-- --width 2000 --escape 1000 --runs 3]
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { columnRe, defaultHeight, rowIm } from '../common/src/mandelbrot-view.ts';
import { escapeCount, escapeCountPlain } from '../cluster-image/src/render/kernel.ts';
import { compileKernel, WasmKernel } from '../cluster-image/src/render/wasm-kernel.ts';

/** The kernel as `npm run build` made it (run the build first). */
const BUILT_KERNEL = new URL('../cluster-image/dist/render/kernel.wasm', import.meta.url);

import { Harness, ROOT } from '../test/helpers/processes.ts';

const { values } = parseArgs({
  options: {
    width: { type: 'string', default: '2000' },
    escape: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    // The default view renders in about 0.1 s with these shortcuts, too little to measure scaling:
    // the cluster part uses a heavier image by default.
    'cluster-width': { type: 'string', default: '4000' },
    'cluster-escape': { type: 'string', default: '20000' },
  },
});
const width = Number(values.width);
const escape = Number(values.escape);
const runs = Number(values.runs);
const height = defaultHeight(width);
const clusterImage = { width: Number(values['cluster-width']), escape: Number(values['cluster-escape']) };
const clusterMegapixels = (clusterImage.width * defaultHeight(clusterImage.width)) / 1e6;

/** Sum of escape counts over rows [0, rows), and seconds taken (best of `runs`). */
function timeKernel(count: typeof escapeCount, rows: number): { sum: number; seconds: number } {
  let best = Infinity;
  let sum = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    sum = 0;
    for (let y = 0; y < rows; y++) {
      const ci = rowIm(y, height);
      for (let x = 0; x < width; x++) sum += count(columnRe(x, width), ci, escape);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { sum, seconds: best };
}

/** A C program of bench/ (plain loop, or the kernel's shortcuts), gcc -O2: its checksum and best time. */
function cReference(program = 'mandelbrot-plain'): { sum: number; seconds: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mandel-c-'));
  const bin = path.join(dir, program);
  execFileSync('gcc', ['-O2', '-o', bin, path.join(ROOT, `bench/${program}.c`)]);
  let best = { sum: 0, seconds: Infinity };
  for (let r = 0; r < runs; r++) {
    const [, , sum, seconds] = execFileSync(bin, [String(width), String(escape)], { encoding: 'utf8' }).trim().split(' ').map(Number);
    if (seconds! < best.seconds) best = { sum: sum!, seconds: seconds! };
  }
  return best;
}

/**
 * This machine's own scaling for pure computation, the ceiling for 2 clusters: two copies of the C
 * program at once against one, wall time (cores of a shared VM rarely give a clean 2x).
 */
async function twoProcessScaling(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mandel-c2-'));
  const bin = path.join(dir, 'mandelbrot-shortcuts');
  execFileSync('gcc', ['-O2', '-o', bin, path.join(ROOT, 'bench/mandelbrot-shortcuts.c')]);
  const args = [String(clusterImage.width), String(Math.min(clusterImage.escape, 5000))];
  const once = async (copies: number) => {
    const t0 = Date.now();
    await Promise.all(Array.from({ length: copies }, () => new Promise((resolve, reject) => execFile(bin, args, (err) => (err ? reject(err) : resolve(null))))));
    return (Date.now() - t0) / 1000;
  };
  let best = 0;
  for (let r = 0; r < runs; r++) best = Math.max(best, (2 * (await once(1))) / (await once(2)));
  return best;
}

async function throughCluster(n: number, h: Harness): Promise<{ seconds: number; renderSeconds: number }> {
  if (h.lb?.running) await h.lb.kill();
  await h.startLb({ STATIC_CLUSTERS: h.clusters.slice(0, n).map((c) => c.id).join(','), LOG_LEVEL: 'warn', ...(process.env.BANDS ? { RENDER_BANDS_PER_CLUSTER: process.env.BANDS } : {}) });
  await h.waitFor(async () => (await (await fetch(`${h.lbUrl}/health`)).json() as { clusters: { healthy: number } }).clusters.healthy === n, 10_000, `${n} clusters`);
  const url = `${h.lbUrl}/mandelbrot.png?width=${clusterImage.width}&escape=${clusterImage.escape}`;
  await (await fetch(url)).arrayBuffer(); // warm-up (JIT, connections)
  let best = { seconds: Infinity, renderSeconds: Infinity };
  for (let r = 0; r < runs; r++) {
    const t0 = Date.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    const seconds = (Date.now() - t0) / 1000;
    if (seconds < best.seconds) best = { seconds, renderSeconds: Number(res.headers.get('x-render-ms')) / 1000 };
  }
  return best;
}

async function main(): Promise<void> {
  console.log(`kernel: default view, ${width}x${height}, escape ${escape}, best of ${runs}; ${os.cpus().length} cores: ${os.cpus()[0]?.model}`);
  const c = cReference();
  const plain = timeKernel(escapeCountPlain, height);
  const fast = timeKernel(escapeCount, height);
  const half = timeKernel(escapeCount, Math.ceil(height / 2));
  const cShortcuts = cReference('mandelbrot-shortcuts');
  const wasm = new WasmKernel(await compileKernel(BUILT_KERNEL));
  let wasmBest = { sum: 0, seconds: Infinity };
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const sum = wasm.countSum({ width, height, escape }, 0, height);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (seconds < wasmBest.seconds) wasmBest = { sum, seconds };
  }
  if (plain.sum !== c.sum || fast.sum !== c.sum || cShortcuts.sum !== c.sum || wasmBest.sum !== c.sum) {
    throw new Error(`escape counts differ: C ${c.sum}, C with shortcuts ${cShortcuts.sum}, TS plain ${plain.sum}, TS kernel ${fast.sum}, WebAssembly kernel ${wasmBest.sum}`);
  }
  console.log(`escape-count checksum identical in C and TypeScript: ${c.sum}`);
  const kernel = {
    cPlainSeconds: c.seconds,
    tsPlainSeconds: plain.seconds,
    tsKernelSeconds: fast.seconds,
    tsKernelWithMirrorSeconds: half.seconds,
    ratioTsPlainVsC: c.seconds / plain.seconds,
    ratioKernelVsC: c.seconds / fast.seconds,
    ratioKernelWithMirrorVsC: c.seconds / half.seconds,
    cShortcutsSeconds: cShortcuts.seconds,
    ratioKernelVsCShortcuts: cShortcuts.seconds / fast.seconds,
    wasmSimdSeconds: wasmBest.seconds,
    ratioWasmVsCShortcuts: cShortcuts.seconds / wasmBest.seconds,
  };
  console.log(`per core: C plain loop ${c.seconds.toFixed(3)} s | TS plain loop ${plain.seconds.toFixed(3)} s (${kernel.ratioTsPlainVsC.toFixed(2)}x C)`);
  console.log(`per core: TS kernel (cardioid, bulb, periodicity) ${fast.seconds.toFixed(3)} s = ${kernel.ratioKernelVsC.toFixed(1)}x the C loop`);
  console.log(`per core: the same shortcuts in C (-O2) ${cShortcuts.seconds.toFixed(3)} s: the TS kernel runs at ${kernel.ratioKernelVsCShortcuts.toFixed(2)}x its speed`);
  console.log(`per core: the WebAssembly SIMD kernel (what the clusters run) ${wasmBest.seconds.toFixed(3)} s = ${kernel.ratioWasmVsCShortcuts.toFixed(2)}x C with the same shortcuts`);
  console.log(`per core: TS kernel + mirror symmetry (what the system renders) ${half.seconds.toFixed(3)} s = ${kernel.ratioKernelWithMirrorVsC.toFixed(1)}x the C loop`);

  const h = new Harness();
  const clusters: Record<number, { seconds: number; renderSeconds: number; megapixelsPerSecond: number }> = {};
  try {
    console.log(`clusters: ${clusterImage.width}x${defaultHeight(clusterImage.width)} (${clusterMegapixels.toFixed(1)} MP), escape ${clusterImage.escape}, one render worker per cluster, best of ${runs}`);
    for (let i = 0; i < 3; i++) await h.addCluster({ LOG_LEVEL: 'warn' });
    for (const n of [1, 2, 3]) {
      const r = await throughCluster(n, h);
      clusters[n] = { ...r, megapixelsPerSecond: clusterMegapixels / r.seconds };
      console.log(`${n} cluster(s): ${clusters[n]!.megapixelsPerSecond.toFixed(1)} MP/s end to end (${r.seconds.toFixed(3)} s, X-Render-Ms ${r.renderSeconds.toFixed(3)} s)`);
    }
  } finally {
    await h.stopAll();
  }
  const ceiling = await twoProcessScaling();
  console.log(`this machine's own scaling, two processes of pure computation against one: ${ceiling.toFixed(2)}x (the ceiling for 2 clusters)`);
  const twoVsOne = clusters[1]!.seconds / clusters[2]!.seconds;
  const twoVsOneRender = clusters[1]!.renderSeconds / clusters[2]!.renderSeconds;
  console.log(`2 clusters vs 1: ${twoVsOne.toFixed(2)}x end to end, ${twoVsOneRender.toFixed(2)}x for the rendering alone`);
  const out = path.join(ROOT, 'bench/results/mandelbrot.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, kernelView: { width, height, escape }, runs, kernel, clusterImage, clusters, twoVsOne, twoVsOneRender, twoProcessCeiling: ceiling }, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), out)}`);
}

await main();
