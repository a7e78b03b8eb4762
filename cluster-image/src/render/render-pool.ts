// A fixed set of render worker threads with a FIFO job queue. Each worker runs one job at a time.
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
}

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiting[] = [];

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  render(params: RenderParams, y0: number, y1: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { params, y0, y1 }, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(new URL('./render-worker.js', import.meta.url)), current: null };
    slot.worker.unref();
    slot.worker.on('message', (pixels: Uint8Array) => {
      const done = slot.current;
      slot.current = null;
      done?.resolve(pixels);
      this.pump();
    });
    slot.worker.on('error', (err) => {
      // A crashed worker fails its job and is replaced.
      slot.current?.reject(err);
      this.slots.splice(this.slots.indexOf(slot), 1, this.spawn());
      this.pump();
    });
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.current) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.current = next;
      slot.worker.postMessage(next.job);
    }
  }
}
