// Mandelbrot benchmark (a report, not a test): per-core kernel speed against the plain C loop
// (gcc -O2) on the same view, and megapixels per second through the LB for 1, 2 and 3 clusters;
// deep views: the cost per pixel-iteration by perturbation against the shallow kernels at the same
// escape limit, the reference orbit's time, and 1 against 2 clusters on a deep view.
// Usage: npm run bench:mandelbrot [-- --width 2000 --escape 1000 --runs 3]
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { deepColumnOffset, deepRowOffset, perturbedEscape, referenceOrbit } from '../common/src/deep/index.ts';
import { columnRe, defaultHeight, pixelColumns, pixelRowIm, rowIm } from '../common/src/mandelbrot-view.ts';
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

async function throughCluster(n: number, h: Harness, query = `width=${clusterImage.width}&escape=${clusterImage.escape}`): Promise<{ seconds: number; renderSeconds: number }> {
  if (h.lb?.running) await h.lb.kill();
  await h.startLb({ STATIC_CLUSTERS: h.clusters.slice(0, n).map((c) => c.id).join(','), LOG_LEVEL: 'warn', ...(process.env.BANDS ? { RENDER_BANDS_PER_CLUSTER: process.env.BANDS } : {}) });
  await h.waitFor(async () => (await (await fetch(`${h.lbUrl}/health`)).json() as { clusters: { healthy: number } }).clusters.healthy === n, 10_000, `${n} clusters`);
  const url = `${h.lbUrl}/mandelbrot.png?${query}`;
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

// ---- Deep views (perturbation, common/src/deep/): a view beside c = i with pixels of 1.8e-299.
const DEEP = { cx: `0.${'0'.repeat(297)}7071067811865476`, cy: `1.${'0'.repeat(297)}7071067811865476`, scale: 7.071067811865476e-299 / 40 };
const DEEP_ESCAPE = 3000;

/**
 * Nanoseconds per pixel-iteration of perturbation over a view's pixels, by the TypeScript loop and
 * by the WebAssembly one (what the clusters run); both counted the same iterations (checked).
 */
function perturbationNs(v: { cx: string; cy: string; scale: number }, side: number, wasm: WasmKernel): { ts: number; wasm: number } {
  const orbit = referenceOrbit(v, DEEP_ESCAPE);
  const p = { width: side, height: side, escape: DEEP_ESCAPE, deep: v };
  let best = { ts: Infinity, wasm: Infinity };
  for (let r = 0; r < runs; r++) {
    let iterations = 0;
    let t0 = process.hrtime.bigint();
    for (let y = 0; y < side; y++) {
      const dcy = deepRowOffset(y, side, v.scale);
      for (let x = 0; x < side; x++) iterations += perturbedEscape(orbit, deepColumnOffset(x, side, v.scale), dcy, DEEP_ESCAPE);
    }
    const ts = Number(process.hrtime.bigint() - t0) / iterations;
    t0 = process.hrtime.bigint();
    const wasmIterations = wasm.deepCountSum(p, orbit, 0, side);
    const w = Number(process.hrtime.bigint() - t0) / wasmIterations;
    if (wasmIterations !== iterations) throw new Error(`perturbation: ${iterations} iterations in TypeScript, ${wasmIterations} in WebAssembly`);
    best = { ts: Math.min(best.ts, ts), wasm: Math.min(best.wasm, w) };
  }
  return best;
}

/**
 * Nanoseconds per pixel-iteration: perturbation and the shallow kernels on the same pixels (beside
 * c = i at a depth doubles resolve, where every pixel escapes: no shortcut skips work, so the sum of
 * the counts is the iterations each did), at the deep views' escape limit; then the deep view itself.
 */
function deepCost(wasm: WasmKernel): { sameWork: { perturbation: { ts: number; wasm: number }; tsKernelNs: number; wasmNs: number }; deep: { ts: number; wasm: number }; orbitMs: Record<number, number> } {
  const side = 400;
  const offset = 7.071067811865476e-5;
  const shallow = { width: side, height: side, escape: DEEP_ESCAPE, view: { cx: offset, cy: 1 + offset, scale: offset / 40 } };
  const re = pixelColumns(shallow);
  let tsKernelNs = Infinity;
  let wasmNs = Infinity;
  for (let r = 0; r < runs; r++) {
    let t0 = process.hrtime.bigint();
    let sum = 0;
    for (let y = 0; y < side; y++) {
      const im = pixelRowIm(shallow, y);
      for (let x = 0; x < side; x++) sum += escapeCount(re[x]!, im, shallow.escape);
    }
    tsKernelNs = Math.min(tsKernelNs, Number(process.hrtime.bigint() - t0) / sum);
    t0 = process.hrtime.bigint();
    sum = wasm.countSum(shallow, 0, side);
    wasmNs = Math.min(wasmNs, Number(process.hrtime.bigint() - t0) / sum);
  }
  const sameWork = { perturbation: perturbationNs({ cx: String(offset), cy: String(1 + offset), scale: offset / 40 }, side, wasm), tsKernelNs, wasmNs };
  const deep = perturbationNs(DEEP, side, wasm);
  // The reference orbit alone, at this depth (about 1060 bits), for a centre inside the set (its
  // orbit runs the whole escape limit): what the LB computes once per view.
  const orbitMs: Record<number, number> = {};
  const inside = { cx: `-0.1${'0'.repeat(300)}1`, cy: `0.1${'0'.repeat(300)}1`, scale: DEEP.scale };
  for (const e of [1000, 10_000, 100_000]) {
    const t0 = process.hrtime.bigint();
    referenceOrbit(inside, e);
    orbitMs[e] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return { sameWork, deep, orbitMs };
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

  const deep = deepCost(wasm);
  const w = deep.sameWork;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  console.log(
    `perturbation, same pixels as the shallow kernels (escape ${DEEP_ESCAPE}), ns per pixel-iteration: WebAssembly ${w.perturbation.wasm.toFixed(2)}, TypeScript ${w.perturbation.ts.toFixed(2)}; ` +
      `shallow kernels: WebAssembly ${w.wasmNs.toFixed(2)}, TypeScript ${w.tsKernelNs.toFixed(2)}. Deep over shallow, WebAssembly: ${ratio(w.perturbation.wasm, w.wasmNs)}; ` +
      `TypeScript: ${ratio(w.perturbation.ts, w.tsKernelNs)}; the WebAssembly deep loop is ${ratio(w.perturbation.ts, w.perturbation.wasm)} the TypeScript one's speed`,
  );
  console.log(`the deep view (pixels of ${DEEP.scale.toExponential(1)}), ns per pixel-iteration: WebAssembly ${deep.deep.wasm.toFixed(2)}, TypeScript ${deep.deep.ts.toFixed(2)}`);
  console.log(`reference orbit at this depth: ${Object.entries(deep.orbitMs).map(([e, ms]) => `${ms.toFixed(0)} ms for ${e} iterations`).join(', ')}`);

  const h = new Harness();
  const clusters: Record<number, { seconds: number; renderSeconds: number; megapixelsPerSecond: number }> = {};
  const deepClusters: Record<number, { seconds: number; renderSeconds: number }> = {};
  try {
    console.log(`clusters: ${clusterImage.width}x${defaultHeight(clusterImage.width)} (${clusterMegapixels.toFixed(1)} MP), escape ${clusterImage.escape}, one render worker per cluster, best of ${runs}`);
    for (let i = 0; i < 3; i++) await h.addCluster({ LOG_LEVEL: 'warn' });
    for (const n of [1, 2, 3]) {
      const r = await throughCluster(n, h);
      clusters[n] = { ...r, megapixelsPerSecond: clusterMegapixels / r.seconds };
      console.log(`${n} cluster(s): ${clusters[n]!.megapixelsPerSecond.toFixed(1)} MP/s end to end (${r.seconds.toFixed(3)} s, X-Render-Ms ${r.renderSeconds.toFixed(3)} s)`);
      if (n <= 2) {
        deepClusters[n] = await throughCluster(n, h, `width=1200&height=1200&escape=${DEEP_ESCAPE}&cx=${DEEP.cx}&cy=${DEEP.cy}&scale=${DEEP.scale}`);
        console.log(`${n} cluster(s), the deep view at 1200 x 1200: ${deepClusters[n]!.seconds.toFixed(3)} s end to end (X-Render-Ms ${deepClusters[n]!.renderSeconds.toFixed(3)} s)`);
      }
    }
  } finally {
    await h.stopAll();
  }
  const ceiling = await twoProcessScaling();
  console.log(`this machine's own scaling, two processes of pure computation against one: ${ceiling.toFixed(2)}x (the ceiling for 2 clusters)`);
  const twoVsOne = clusters[1]!.seconds / clusters[2]!.seconds;
  const twoVsOneRender = clusters[1]!.renderSeconds / clusters[2]!.renderSeconds;
  console.log(`2 clusters vs 1: ${twoVsOne.toFixed(2)}x end to end, ${twoVsOneRender.toFixed(2)}x for the rendering alone`);
  const deepTwoVsOne = deepClusters[1]!.seconds / deepClusters[2]!.seconds;
  console.log(`2 clusters vs 1 on the deep view: ${deepTwoVsOne.toFixed(2)}x end to end`);
  const out = path.join(ROOT, 'bench/results/mandelbrot.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, kernelView: { width, height, escape }, runs, kernel, clusterImage, clusters, twoVsOne, twoVsOneRender, twoProcessCeiling: ceiling, deep: { view: DEEP, escape: DEEP_ESCAPE, ...deep, clusters: deepClusters, twoVsOne: deepTwoVsOne } }, null, 2) + '\n');
  console.log(`written to ${path.relative(process.cwd(), out)}`);
}

await main();
