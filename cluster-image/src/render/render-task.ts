// A render thread's task, as piscina runs it (render-pool.ts): one band, off the main thread, so
// that a long render never delays the slave's answers to health probes (a slow probe would look like
// a dead cluster to the LB). Each thread compiles the kernel once, when it starts (a few ms: the
// build made the binary); without it (no SIMD here) the TypeScript kernel renders the same pixels.
import { Piscina } from 'piscina';
import { renderPieces, type RenderJob } from './band-render.js';
import { compileKernel, WasmKernel } from './wasm-kernel.js';

const wasm = await compileKernel().then(
  (m) => new WasmKernel(m),
  (err: Error) => {
    // The main thread logs it too (RenderPool.prepare); the images stay right, only slower.
    console.error(`render thread: no WebAssembly kernel (${err.message}); the TypeScript kernel renders instead`);
    return null;
  },
);

export default function renderTask(job: RenderJob): object {
  const packed = renderPieces(job, wasm);
  // Handed over, not copied, to the main thread.
  return Piscina.move(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
}
