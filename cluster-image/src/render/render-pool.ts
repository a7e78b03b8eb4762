// A fixed set of render worker threads with a FIFO job queue.
import { Worker } from 'node:worker_threads';
import type { RenderParams } from '@hscale/common';
import type { RenderJob } from './render-worker.js';

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: { job: RenderJob; resolve: (p: Uint8Array) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { slot: Slot; resolve: (p: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  render(params: RenderParams, y0: number, y1: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, params, y0, y1 }, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(new URL('./render-worker.js', import.meta.url)), busy: false };
    slot.worker.unref();
    slot.worker.on('message', (msg: { id: number; pixels: Uint8Array }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      slot.busy = false;
      p?.resolve(msg.pixels);
      this.pump();
    });
    slot.worker.on('error', (err) => {
      // A crashed worker fails its job and is replaced.
      for (const [id, p] of this.pending) if (p.slot === slot) (this.pending.delete(id), p.reject(err));
      this.slots.splice(this.slots.indexOf(slot), 1, this.spawn());
      this.pump();
    });
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = true;
      this.pending.set(next.job.id, { slot, resolve: next.resolve, reject: next.reject });
      slot.worker.postMessage(next.job);
    }
  }
}
