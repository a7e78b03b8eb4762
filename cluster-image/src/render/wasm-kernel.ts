// The escape-time kernel of kernel.ts in WebAssembly with 128-bit SIMD: two pixels at a time in
// f64x2 lanes, by exactly the same rules (cardioid and bulb, the periodicity check, the same
// roundings: WebAssembly has no fused multiply-add), so the image is byte for byte the TypeScript
// kernel's (test/unit/wasm-kernel.test.ts). About 1.4x the TypeScript kernel's speed per core
// (bench/mandelbrot.ts). Deep views' per-pixel loop (perturbation around the reference orbit,
// with rebasing: common/src/deep/perturbation.ts) is there too, two pixels at a time, with the
// same escape counts as the TypeScript loop. Written as WebAssembly text (kernel.wat), compiled to
// kernel.wasm by `npm run build`: the image carries the binary, not a compiler.
import { readFile } from 'node:fs/promises';
import { deepColumnOffset, deepRowOffset, paletteIndex, pixelColumns, pixelRowIm, type DeepParams, type RenderParams } from '@hscale/common';

/** The kernel as the build made it (build-assets.mjs compiles kernel.wat beside this file in dist/). */
export const KERNEL_FILE = new URL('./kernel.wasm', import.meta.url);

/** The compiled kernel: compiled once per process, instantiated in each render thread. */
export async function compileKernel(file: URL = KERNEL_FILE): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(file));
}

interface KernelExports {
  memory: WebAssembly.Memory;
  row(n: number, ci: number, escape: number, out: number): void;
  deep_row(n: number, dcxAt: number, dcy: number, escape: number, last: number, out: number): void;
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

  /** Palette indices of rows [y0, y1) of a deep view, as common's renderDeepRows, around its reference orbit `Z`. */
  renderDeepRows(p: DeepParams, Z: Float64Array, y0: number, y1: number): Uint8Array {
    const out = new Uint8Array((y1 - y0) * p.width);
    let o = 0;
    this.eachDeepRow(p, Z, y0, y1, (counts) => {
      for (let x = 0; x < p.width; x++) out[o++] = paletteIndex(counts[x]!, p.escape);
    });
    return out;
  }

  /** The escape counts of row y of a deep view (a copy): what the tests compare with perturbedEscape. */
  deepCounts(p: DeepParams, Z: Float64Array, y: number): Int32Array {
    let copy = new Int32Array(0);
    this.eachDeepRow(p, Z, y, y + 1, (counts) => (copy = counts.slice()));
    return copy;
  }

  /** The sum of a deep view's escape counts over rows [y0, y1): the iterations, for the benchmark. */
  deepCountSum(p: DeepParams, Z: Float64Array, y0: number, y1: number): number {
    let sum = 0;
    this.eachDeepRow(p, Z, y0, y1, (counts) => {
      for (let x = 0; x < p.width; x++) sum += counts[x]!;
    });
    return sum;
  }

  /** The sum of the escape counts of rows [y0, y1): the benchmark's checksum against C. */
  countSum(p: RenderParams, y0: number, y1: number): number {
    let sum = 0;
    this.eachRow(p, y0, y1, (counts) => {
      for (let x = 0; x < p.width; x++) sum += counts[x]!;
    });
    return sum;
  }

  /** The memory, at least `bytes` long. */
  private memoryOf(bytes: number): ArrayBuffer {
    const { memory } = this.exports;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    return memory.buffer;
  }

  /** Each deep row's escape counts: the orbit at 0, the pixels' column offsets after it, then the counts. */
  private eachDeepRow(p: DeepParams, Z: Float64Array, y0: number, y1: number, use: (counts: Int32Array) => void): void {
    const dcxAt = Z.byteLength;
    const outAt = dcxAt + p.width * 8;
    const buffer = this.memoryOf(outAt + p.width * 4);
    new Float64Array(buffer, 0, Z.length).set(Z);
    const dcx = new Float64Array(buffer, dcxAt, p.width);
    for (let x = 0; x < p.width; x++) dcx[x] = deepColumnOffset(x, p.width, p.deep.scale);
    const counts = new Int32Array(buffer, outAt, p.width);
    for (let y = y0; y < y1; y++) {
      this.exports.deep_row(p.width, dcxAt, deepRowOffset(y, p.height, p.deep.scale), p.escape, Z.length / 2 - 1, outAt);
      use(counts);
    }
  }

  /** Computes each row's escape counts in the instance's memory and hands them to `use`. */
  private eachRow(p: RenderParams, y0: number, y1: number, use: (counts: Int32Array) => void): void {
    const outAt = p.width * 8; // re[] first, then the counts
    const buffer = this.memoryOf(outAt + p.width * 4);
    new Float64Array(buffer, 0, p.width).set(pixelColumns(p));
    const counts = new Int32Array(buffer, outAt, p.width);
    for (let y = y0; y < y1; y++) {
      this.exports.row(p.width, pixelRowIm(p, y), p.escape, outAt);
      use(counts);
    }
  }
}
