// The escape-time kernel of kernel.ts in WebAssembly with 128-bit SIMD: two pixels at a time in
// f64x2 lanes, by exactly the same rules (cardioid and bulb, the periodicity check, the same
// roundings: WebAssembly has no fused multiply-add), so the image is byte for byte the TypeScript
// kernel's (test/unit/wasm-kernel.test.ts). About 1.4x the TypeScript kernel's speed per core
// (bench/mandelbrot.ts). Written as WebAssembly text (kernel.wat), compiled to kernel.wasm by
// `npm run build`: the image carries the binary, not a compiler.
import { readFile } from 'node:fs/promises';
import { paletteIndex, pixelColumns, pixelRowIm, type RenderParams } from '@hscale/common';

/** The kernel as the build made it (build-assets.mjs compiles kernel.wat beside this file in dist/). */
export const KERNEL_FILE = new URL('./kernel.wasm', import.meta.url);

/** The compiled kernel: compiled once per process, instantiated in each render thread. */
export async function compileKernel(file: URL = KERNEL_FILE): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(file));
}

interface KernelExports {
  memory: WebAssembly.Memory;
  row(n: number, ci: number, escape: number, out: number): void;
}

/** One instance (its own memory): renderRows as kernel.ts's, computed by the WebAssembly kernel. */
export class WasmKernel {
  private readonly exports: KernelExports;

  constructor(module: WebAssembly.Module) {
    this.exports = new WebAssembly.Instance(module).exports as unknown as KernelExports;
  }

  renderRows(p: RenderParams, y0: number, y1: number): Uint8Array {
    const out = new Uint8Array((y1 - y0) * p.width);
    let o = 0;
    this.eachRow(p, y0, y1, (counts) => {
      for (let x = 0; x < p.width; x++) out[o++] = paletteIndex(counts[x]!, p.escape);
    });
    return out;
  }

  /** The sum of the escape counts of rows [y0, y1): the benchmark's checksum against C. */
  countSum(p: RenderParams, y0: number, y1: number): number {
    let sum = 0;
    this.eachRow(p, y0, y1, (counts) => {
      for (let x = 0; x < p.width; x++) sum += counts[x]!;
    });
    return sum;
  }

  /** Computes each row's escape counts in the instance's memory and hands them to `use`. */
  private eachRow(p: RenderParams, y0: number, y1: number, use: (counts: Int32Array) => void): void {
    const { memory, row } = this.exports;
    const outAt = p.width * 8; // re[] first, then the counts
    const need = outAt + p.width * 4;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    new Float64Array(memory.buffer, 0, p.width).set(pixelColumns(p));
    const counts = new Int32Array(memory.buffer, outAt, p.width);
    for (let y = y0; y < y1; y++) {
      row(p.width, pixelRowIm(p, y), p.escape, outAt);
      use(counts);
    }
  }
}
