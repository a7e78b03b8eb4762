// Render worker threads with a FIFO job queue. Each worker runs one job at a time. Workers start
// with the first render and stop after a while without work: a thread holds its own V8 heap
// (megabytes), which a cluster at rest should not pay for.
import { Worker } from 'node:worker_threads';
import type { RenderParams } from '@hscale/common';
import type { RenderJob } from './band-render.js';
import { compileKernel } from './wasm-kernel.js';

interface Waiting {
  job: RenderJob;
  resolve: (p: Uint8Array) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The job this worker is running, if any. */
  current: Waiting | null;
  idleTimer: NodeJS.Timeout | null;
}

/** Too many bands queued: the cluster is saturated (answered 503, the LB tries another). */
export class RenderBusy extends Error {}

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiting[] = [];

  constructor(
    private readonly size: number,
    private readonly idleMs = 30_000,
    private readonly maxQueued = 256,
  ) {}

  /**
   * Top pieces [p0, p1) of the image, rendered and compressed (render-worker.ts). When `signal` aborts (the LB gave up on the band, or its client left), a queued
   * job is dropped and a running one stops at once: its thread is terminated (the pixel loop has no
   * other way out) and replaced by the next job. More than `maxQueued` jobs waiting: RenderBusy.
   */
  render(params: RenderParams, p0: number, p1: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.queue.length >= this.maxQueued) return Promise.reject(new RenderBusy(`${this.queue.length} bands are already waiting for a render thread`));
    if (signal?.aborted) return Promise.reject(new Error('render cancelled'));
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { job: { params, p0, p1 }, resolve, reject };
      const cancel = () => {
        const queued = this.queue.indexOf(waiting);
        if (queued >= 0) this.queue.splice(queued, 1);
        const slot = this.slots.find((s) => s.current === waiting);
        if (slot) {
          slot.current = null;
          this.retire(slot);
          this.pump();
        }
        reject(new Error('render cancelled'));
      };
      signal?.addEventListener('abort', cancel, { once: true });
      const settle = () => signal?.removeEventListener('abort', cancel);
      waiting.resolve = (p) => (settle(), resolve(p));
      waiting.reject = (e) => (settle(), reject(e));
      this.queue.push(waiting);
      this.pump();
    });
  }

  /** Worker threads running now (0 at rest). */
  get threads(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.splice(0).map((s) => (s.idleTimer && clearTimeout(s.idleTimer), s.worker.terminate())));
  }

  /**
   * The WebAssembly kernel, compiled once (about 0.1 s) and shared by every render thread started
   * afterwards; without it (not compiled yet, or no SIMD here) threads use the TypeScript kernel.
   */
  private kernel: WebAssembly.Module | null = null;

  /** Compiles the kernel, so that the first render does not wait for it; the error if it cannot. */
  async prepare(): Promise<Error | null> {
    try {
      this.kernel = await compileKernel();
      return null;
    } catch (err) {
      return err as Error;
    }
  }

  private spawn(): Slot {
    const workerData = this.kernel ? { kernel: this.kernel } : {};
    const slot: Slot = { worker: new Worker(new URL('./render-worker.js', import.meta.url), { workerData }), current: null, idleTimer: null };
    slot.worker.unref();
    slot.worker.on('message', (pixels: Uint8Array) => {
      const done = slot.current;
      slot.current = null;
      done?.resolve(pixels);
      this.pump();
    });
    // A crashed or exited worker fails its job and is dropped; the next job starts a new one.
    const lost = (err: Error) => {
      if (!this.slots.includes(slot)) return; // retired already (cancelled, idle, or closed)
      slot.current?.reject(err);
      slot.current = null;
      this.retire(slot);
      this.pump();
    };
    slot.worker.on('error', lost);
    slot.worker.on('exit', (code) => lost(new Error(`a render thread exited (code ${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    void slot.worker.terminate().catch(() => undefined);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.current) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      const next = this.queue.shift()!;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      slot.current = next;
      slot.worker.postMessage(next.job);
    }
    for (const slot of this.slots) {
      if (!slot.current && !slot.idleTimer) {
        slot.idleTimer = setTimeout(() => this.retire(slot), this.idleMs);
        slot.idleTimer.unref();
      }
    }
  }
}
