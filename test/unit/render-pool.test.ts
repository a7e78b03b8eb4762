// The slave's render threads (cluster-image/src/render/render-pool.ts, a piscina pool) with real
// worker threads running the built kernel (test/run.sh builds first): the same bytes as rendering
// in this thread, threads retired when idle, a bounded queue, and a cancelled band that stops its
// thread at once while the next band is still served.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RenderParams } from '../../common/src/index.ts';
import { renderPieces } from '../../cluster-image/dist/render/band-render.js';
import { RenderBusy, RenderPool } from '../../cluster-image/dist/render/render-pool.js';
import { compileKernel, WasmKernel } from '../../cluster-image/dist/render/wasm-kernel.js';

const small: RenderParams = { width: 64, height: 64, escape: 200, view: { cx: -0.75, cy: 0.1, scale: 0.001 } };
/** Seconds of work for one thread: a deep view at a high escape. */
const slow: RenderParams = { width: 2000, height: 2000, escape: 50_000, view: { cx: -0.743643887, cy: 0.131825904, scale: 1e-9 } };

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

test('a band from a render thread is the bytes of the same band rendered here (with the built kernel)', async () => {
  const pool = new RenderPool(2);
  try {
    const here = renderPieces({ params: small, p0: 0, p1: 1 }, new WasmKernel(await compileKernel()));
    assert.ok(Buffer.from(await pool.render(small, 0, 1)).equals(here));
  } finally {
    await pool.close();
  }
});

test('threads start with the first band and stop after idleMs without work', async () => {
  const pool = new RenderPool(2, 200);
  try {
    assert.equal(pool.threads, 0);
    await Promise.all([pool.render(small, 0, 1), pool.render(small, 0, 1)]);
    assert.ok(pool.threads >= 1);
    assert.ok(await until(() => pool.threads === 0, 5000), 'idle threads retired');
  } finally {
    await pool.close();
  }
});

test('beyond maxQueued waiting bands: RenderBusy; a cancelled running band stops at once, and the next one is served', async () => {
  const pool = new RenderPool(1, 30_000, 1);
  const busy = new AbortController();
  try {
    const running = pool.render(slow, 0, 1, busy.signal).catch((e: Error) => e);
    // Running: its thread started and took it from the queue.
    assert.ok(await until(() => pool.threads === 1 && pool.queued === 0, 5000), 'the first band is running');
    const queued = pool.render(slow, 1, 2, busy.signal).catch((e: Error) => e);
    assert.equal(pool.queued, 1);
    await assert.rejects(pool.render(small, 0, 1), RenderBusy);
    const t0 = performance.now();
    busy.abort();
    assert.ok((await running) instanceof Error, 'the running band is cancelled');
    assert.ok((await queued) instanceof Error, 'the queued band is cancelled');
    assert.ok(performance.now() - t0 < 3000, 'without waiting for the render to finish');
    assert.ok((await pool.render(small, 0, 1)).length > 0, 'a new band is served');
  } finally {
    await pool.close();
  }
});
