import { Worker } from 'node:worker_threads';
import { PNG } from 'pngjs';

/** PNG encoding options are fixed: the same pixels must always give the same bytes. */
export function encodePng(pixels: Uint8Array, width: number, height: number): Buffer {
  const options = { colorType: 2, inputColorType: 2, inputHasAlpha: false, filterType: 1, deflateLevel: 6 } as const;
  const png = new PNG({ width, height, ...options });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return PNG.sync.write(png, options);
}

/** Encodes in worker threads (one per concurrent image, up to `size`), so the event loop stays free. */
export class PngEncoderPool {
  private idle: Worker[] = [];
  private waiting: ((w: Worker) => void)[] = [];
  private nextId = 1;
  private created = 0;

  constructor(private readonly size: number) {}

  async encode(pixels: Uint8Array, width: number, height: number): Promise<Buffer> {
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
        // Transferred, not copied: the caller must not use `pixels` afterwards.
        worker.postMessage({ id, pixels, width, height }, [pixels.buffer as ArrayBuffer]);
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
