// Render worker threads with a FIFO job queue. Each worker runs one job at a time. Workers start
// with the first render and stop after a while without work: a thread holds its own V8 heap
// (megabytes), which a cluster at rest should not pay for.
import { Worker } from 'node:worker_threads';
import type { RenderParams } from '@hscale/common';
import type { RenderJob } from './render-worker.js';

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

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiting[] = [];

  constructor(
    private readonly size: number,
    private readonly idleMs = 30_000,
  ) {}

  render(params: RenderParams, y0: number, y1: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { params, y0, y1 }, resolve, reject });
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

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(new URL('./render-worker.js', import.meta.url)), current: null, idleTimer: null };
    slot.worker.unref();
    slot.worker.on('message', (pixels: Uint8Array) => {
      const done = slot.current;
      slot.current = null;
      done?.resolve(pixels);
      this.pump();
    });
    slot.worker.on('error', (err) => {
      // A crashed worker fails its job and is dropped; the next job starts a new one.
      slot.current?.reject(err);
      slot.current = null;
      this.retire(slot);
      this.pump();
    });
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
