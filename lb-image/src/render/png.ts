import { Worker } from 'node:worker_threads';
import { encode } from 'fast-png';
import { PNG_PALETTE } from '@hscale/common';

/**
 * An indexed-colour PNG (one byte per pixel, the fixed palette) with fast-png. The options are
 * fixed, so the same pixels always give the same bytes. zlib level 3 (fast-png's default) costs a
 * third of level 6's time for a file 10% larger.
 */
export function encodePng(indices: Uint8Array, width: number, height: number): Buffer {
  const png = encode({ width, height, data: indices, depth: 8, channels: 1, palette: PNG_PALETTE }, { zlib: { level: 3 } });
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
}

/** Encodes in worker threads (one per concurrent image, up to `size`), so the event loop stays free. */
export class PngEncoderPool {
  private idle: Worker[] = [];
  private waiting: ((w: Worker) => void)[] = [];
  private nextId = 1;
  private created = 0;

  constructor(private readonly size: number) {}

  async encode(indices: Uint8Array, width: number, height: number): Promise<Buffer> {
    const worker = await this.acquire();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const id = this.nextId++;
        const onMessage = (msg: { id: number; png?: Uint8Array; error?: string }) => {
          if (msg.id !== id) return;
          worker.off('message', onMessage);
          worker.off('error', reject);
          if (msg.png) resolve(Buffer.from(msg.png.buffer, msg.png.byteOffset, msg.png.byteLength));
          else reject(new Error(msg.error ?? 'PNG encoding failed'));
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
        // Transferred, not copied: the caller must not use `indices` afterwards.
        worker.postMessage({ id, indices, width, height }, [indices.buffer as ArrayBuffer]);
      });
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.map((w) => w.terminate()));
    this.idle = [];
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.created < this.size) {
      this.created++;
      const worker = new Worker(new URL('./png-worker.js', import.meta.url));
      worker.unref();
      return Promise.resolve(worker);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }
}
