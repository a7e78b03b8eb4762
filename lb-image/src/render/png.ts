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

/** Starts one encoder thread (replaceable in tests, to make one crash). */
export type EncoderFactory = () => Worker;
const encoderThread: EncoderFactory = () => new Worker(new URL('./png-worker.js', import.meta.url));

/**
 * Encodes in worker threads (one per concurrent image, up to `size`), so the event loop stays free.
 * A thread that crashes or exits fails its image and is replaced, never handed out again.
 */
export class PngEncoderPool {
  private idle: Worker[] = [];
  private waiting: ((w: Worker) => void)[] = [];
  private nextId = 1;
  private created = 0;

  constructor(
    private readonly size: number,
    private readonly start: EncoderFactory = encoderThread,
  ) {}

  async encode(indices: Uint8Array, width: number, height: number): Promise<Buffer> {
    const worker = await this.acquire();
    let broken = false;
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const id = this.nextId++;
        const done = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        const onMessage = (msg: { id: number; png?: Uint8Array; error?: string }) => {
          if (msg.id !== id) return;
          done();
          if (msg.png) resolve(Buffer.from(msg.png.buffer, msg.png.byteOffset, msg.png.byteLength));
          else reject(new Error(msg.error ?? 'PNG encoding failed'));
        };
        const onError = (err: Error) => {
          broken = true;
          done();
          reject(err);
        };
        const onExit = (code: number) => {
          broken = true;
          done();
          reject(new Error(`the PNG encoder thread exited (code ${code})`));
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        try {
          // Transferred, not copied: the caller must not use `indices` afterwards.
          worker.postMessage({ id, indices, width, height }, [indices.buffer as ArrayBuffer]);
        } catch (err) {
          onError(err as Error); // a thread that has already exited refuses the message
        }
      });
    } finally {
      if (broken) this.replace(worker);
      else this.release(worker);
    }
  }

  async close(): Promise<void> {
    const idle = this.idle;
    this.idle = [];
    await Promise.all(idle.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const worker = this.start();
    this.created++; // only once it exists: a factory that throws must not use up a slot
    worker.unref();
    // An idle thread that dies is dropped at once, not handed to the next image.
    const dropIfIdle = () => {
      const i = this.idle.indexOf(worker);
      if (i >= 0) {
        this.idle.splice(i, 1);
        this.replace(worker);
      }
    };
    worker.on('exit', dropIfIdle);
    worker.on('error', dropIfIdle);
    return worker;
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.created < this.size) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  /** A broken thread is dropped; whoever waits for one gets a new thread. */
  private replace(w: Worker): void {
    this.created--;
    void w.terminate().catch(() => undefined);
    const next = this.waiting.shift();
    if (next) next(this.spawn());
  }
}
