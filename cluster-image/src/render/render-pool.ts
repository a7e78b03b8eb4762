// The render threads, a piscina pool: threads start with the first render and stop after idleMs
// without work (a thread holds its own V8 heap, megabytes, which a cluster at rest should not pay
// for); at most maxQueued bands wait; a cancelled band is dropped from the queue or, running, its
// thread is terminated (the pixel loop has no other way out) and replaced; a crashed thread fails
// its band and is replaced.
import { Piscina } from 'piscina';
import type { RenderParams } from '@hscale/common';
import type { RenderJob } from './band-render.js';
import { compileKernel } from './wasm-kernel.js';

/** Too many bands queued: the cluster is saturated (answered 503, the LB tries another). */
export class RenderBusy extends Error {}

export class RenderPool {
  private readonly pool: Piscina<RenderJob, Uint8Array>;

  constructor(size: number, idleMs = 30_000, maxQueued = 256) {
    this.pool = new Piscina({ filename: new URL('./render-task.js', import.meta.url).href, minThreads: 0, maxThreads: size, idleTimeout: idleMs, maxQueue: maxQueued });
  }

  /** Top pieces [p0, p1) of the image, rendered and compressed (band-render.ts); `signal` cancels it; `orbit` for a deep view. */
  async render(params: RenderParams, p0: number, p1: number, signal?: AbortSignal, orbit?: Float64Array): Promise<Uint8Array> {
    if (this.queued >= this.pool.options.maxQueue) throw new RenderBusy(`${this.queued} bands are already waiting for a render thread`);
    return this.pool.run({ params, p0, p1, ...(orbit ? { orbit } : {}) }, signal ? { signal } : {});
  }

  /** Bands waiting for a thread (not running yet). */
  get queued(): number {
    return this.pool.queueSize;
  }

  /** Worker threads running now (0 at rest). */
  get threads(): number {
    return this.pool.threads.length;
  }

  /** Whether the kernel compiles here (each thread compiles its own); the error if not. */
  async prepare(): Promise<Error | null> {
    return compileKernel().then(
      () => null,
      (err: Error) => err,
    );
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
