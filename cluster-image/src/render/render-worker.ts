// Worker thread entry of the hand-written pool (render-pool.ts): renders bands off the main thread,
// so that a long render never delays the slave's answers to health probes.
import { parentPort, workerData } from 'node:worker_threads';
import { renderPieces, type RenderJob } from './band-render.js';
import { WasmKernel } from './wasm-kernel.js';

export type { RenderJob } from './band-render.js';

/** The WebAssembly kernel when the pool compiled one (render-pool.ts), else the TypeScript kernel: the same pixels. */
const module = (workerData as { kernel?: WebAssembly.Module } | null)?.kernel;
const wasm = module ? new WasmKernel(module) : null;

parentPort?.on('message', (job: RenderJob) => {
  const packed = renderPieces(job, wasm);
  parentPort!.postMessage(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
});
