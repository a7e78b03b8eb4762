// Worker thread entry: PNG encoding off the LB's event loop. A large image takes about a second
// to encode; on the main thread that would delay health probes and every other request.
import { parentPort } from 'node:worker_threads';
import { encodePng } from './png.js';

parentPort?.on('message', (job: { id: number; indices: Uint8Array; width: number; height: number }) => {
  try {
    const png = encodePng(job.indices, job.width, job.height);
    const out = new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
    parentPort!.postMessage({ id: job.id, png: out }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: job.id, error: (err as Error).message });
  }
});
