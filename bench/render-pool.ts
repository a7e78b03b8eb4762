// The slave's render threads: the hand-written pool (cluster-image/src/render/render-pool.ts)
// against piscina (piscina-pool.ts), side by side in one run (a report, not a test). Both render
// the same bands with the same kernel; rounds alternate between them and the median counts.
// - big bands: a 1600 × 1536 image at the edge of the set, escape 3000, in bands (the pool's own cost is small);
// - map tiles: 200 tiles of 256 × 256, one band each, as the explorer asks for them;
// - tiny bands: 600 images of 64 × 8 pixels (the cost per band is mostly the pool's);
// - the behaviour both must have: the same bytes, idle threads retired, a bounded queue, a running
//   band cancelled (its thread terminated, the next band still served).
// Usage: npm run build && npm run bench:render-pool [-- --rounds 5]
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { pieceLayout, tileView, type RenderParams } from '../common/src/index.ts';
import { PiscinaRenderPool, RenderBusy as PiscinaBusy } from '../cluster-image/dist/render/piscina-pool.js';
import { RenderBusy, RenderPool } from '../cluster-image/dist/render/render-pool.js';
import { machine, table, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const THREADS = 2;

interface Pool {
  render(params: RenderParams, p0: number, p1: number, signal?: AbortSignal): Promise<Uint8Array>;
  prepare(): Promise<Error | null>;
  close(): Promise<void>;
  readonly threads: number;
}
const pools: Record<string, (idleMs?: number, maxQueued?: number) => Pool> = {
  'hand-written': (idleMs, maxQueued) => new RenderPool(THREADS, idleMs, maxQueued),
  piscina: (idleMs, maxQueued) => new PiscinaRenderPool(THREADS, idleMs, maxQueued),
};

/** Every job at once: ms from the first to the last answer, and the bytes. */
async function renderAll(pool: Pool, jobs: Job[]): Promise<{ ms: number; bytes: Buffer }> {
  const t0 = performance.now();
  const parts = await Promise.all(jobs.map((j) => pool.render(j.params, j.p0, j.p1)));
  return { ms: performance.now() - t0, bytes: Buffer.concat(parts) };
}

interface Job {
  params: RenderParams;
  p0: number;
  p1: number;
}
/** Every band of an image, one top piece each. */
function bands(params: RenderParams): Job[] {
  const { top } = pieceLayout(params.width, params.height, !params.view || params.view.cy === 0);
  return Array.from({ length: top }, (_, p) => ({ params, p0: p, p1: p + 1 }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

const workloads: { name: string; jobs: Job[] }[] = [
  { name: 'big bands: 1600 × 1536 at the edge of the set (seahorse valley), escape 3000', jobs: bands({ width: 1600, height: 1536, escape: 3000, view: { cx: -0.745, cy: 0.1, scale: 1.25e-5 } }) },
  // What the explorer asks for: map tiles, one band each (tileView: the tile route's own views).
  { name: '200 map tiles of 256 × 256 at zoom 6, escape 500', jobs: Array.from({ length: 200 }, (_, i) => ({ params: { width: 256, height: 256, escape: 500, view: tileView(6, 20 + (i % 20), 26 + Math.floor(i / 20)) }, p0: 0, p1: 1 })) },
  // 600 images of 64 × 8 pixels: the work per band is tiny, the cost is mostly the pool's.
  { name: 'tiny bands: 600 of 64 × 8 pixels, escape 50', jobs: Array.from({ length: 600 }, (_, i) => ({ params: { width: 64, height: 8, escape: 50, view: { cx: -0.5, cy: 0.001 * i, scale: 0.01 } }, p0: 0, p1: 1 })) },
];

const times: Record<string, Record<string, number[]>> = {};
const bytes: Record<string, Buffer> = {};
const live = Object.fromEntries(Object.entries(pools).map(([name, make]) => [name, make(30_000, 1000)]));
for (const p of Object.values(live)) assert.equal(await p.prepare(), null, 'the kernel compiles');
for (const w of workloads) {
  times[w.name] = {};
  for (const [name, pool] of Object.entries(live)) await renderAll(pool, w.jobs); // warm-up: threads started, JIT
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, pool] of Object.entries(live)) {
      const r = await renderAll(pool, w.jobs);
      (times[w.name]![name] ??= []).push(r.ms);
      if (bytes[w.name] === undefined) bytes[w.name] = r.bytes;
      else assert.ok(bytes[w.name]!.equals(r.bytes), `${name}: the same bytes as the other pool`);
    }
  }
  console.log(`${w.name}: ${Object.entries(times[w.name]!).map(([n, t]) => `${n} ${median(t).toFixed(0)} ms`).join(', ')}`);
}
for (const p of Object.values(live)) await p.close();

// The behaviour each pool must have, checked the same way for both.
const behaviour: Record<string, string[]> = {};
for (const [name, make] of Object.entries(pools)) {
  const seen: string[] = [];
  const pool = make(300, 2);
  const slow: RenderParams = { width: 2000, height: 2000, escape: 20000, view: { cx: -0.75, cy: 0.1, scale: 1e-5 } };
  await pool.render({ width: 8, height: 8, escape: 10 }, 0, 1);
  if (await until(() => pool.threads === 0, 3000)) seen.push('idle threads retired');
  const busy = new AbortController();
  const running = [pool.render(slow, 0, 1, busy.signal), pool.render(slow, 1, 2, busy.signal)].map((p) => p.catch((e: Error) => e));
  const queued = [pool.render(slow, 2, 3, busy.signal), pool.render(slow, 3, 4, busy.signal)].map((p) => p.catch((e: Error) => e));
  const refused = await pool.render(slow, 4, 5).then(() => null, (e: Error) => e);
  if (refused instanceof RenderBusy || refused instanceof PiscinaBusy) seen.push('queue bounded');
  const stop = new AbortController();
  const cancelled = pool.render({ width: 8, height: 8, escape: 10 }, 0, 1, stop.signal).catch((e: Error) => e);
  stop.abort();
  if ((await cancelled) instanceof Error) seen.push('queued band cancelled');
  busy.abort();
  await Promise.all([...running, ...queued]);
  await pool.close();
  const again = make(300, 2);
  const run = new AbortController();
  const t0 = performance.now();
  const long = again.render(slow, 0, 1, run.signal).catch((e: Error) => e);
  setTimeout(() => run.abort(), 200);
  const outcome = await long;
  if (outcome instanceof Error && performance.now() - t0 < 2000) seen.push('running band cancelled at once');
  if ((await again.render({ width: 8, height: 8, escape: 10 }, 0, 1)).length > 0) seen.push('next band served');
  await again.close();
  behaviour[name] = seen;
  console.log(`${name}: ${seen.join(', ')}`);
}

const names = Object.keys(pools);
const rows = workloads.map((w) => {
  const [a, b] = names.map((n) => median(times[w.name]![n]!));
  return [w.name, `${a!.toFixed(0)} ms`, `${b!.toFixed(0)} ms`, `**${(a! / b!).toFixed(2)}×**`];
});
writeSection(
  'render-pool',
  `## Render threads: hand-written pool against piscina (\`npm run bench:render-pool\`)

${machine()}; ${new Date().toISOString().slice(0, 10)}; ${THREADS} threads each, the same kernel; every band of the image at once,
median of ${ROUNDS} rounds, the pools alternating. Both gave the same bytes.

${table(['workload', names[0]!, names[1]!, `${names[1]}'s speed (${names[0]} time / ${names[1]} time)`], rows)}

Behaviour, checked the same way for both: ${names.map((n) => `**${n}**: ${behaviour[n]!.join(', ')}`).join('; ')}.
`,
);
