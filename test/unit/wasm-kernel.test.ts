// The WebAssembly SIMD kernel computes exactly the TypeScript kernel's pixels (which a test of its
// own checks against the plain loop): any view, odd widths (a last pixel alone), small escape
// limits, points that cycle and points that escape late, two lanes stopping at different times.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { defaultHeight, type RenderParams } from '../../common/src/mandelbrot-view.ts';
import { renderRows } from '../../cluster-image/src/render/kernel.ts';
import { compileKernel, WasmKernel } from '../../cluster-image/src/render/wasm-kernel.ts';

// The kernel as `npm run build` compiled it (test/run.sh builds first): what the image ships.
const BUILT_KERNEL = new URL('../../cluster-image/dist/render/kernel.wasm', import.meta.url);

let kernel: WasmKernel;
before(async () => {
  kernel = new WasmKernel(await compileKernel(BUILT_KERNEL));
});

const same = (p: RenderParams, y0 = 0, y1 = p.height) =>
  assert.ok(Buffer.from(kernel.renderRows(p, y0, y1)).equals(Buffer.from(renderRows(p, y0, y1))), JSON.stringify({ p, y0, y1 }));

test('the default view, whole and in bands, at several escape limits', () => {
  for (const escape of [1, 2, 8, 9, 17, 300, 3000]) same({ width: 301, height: defaultHeight(301), escape });
  same({ width: 800, height: defaultHeight(800), escape: 1000 }, 100, 200);
  same({ width: 1, height: 1, escape: 50 });
});

test('views: deep zooms at the boundary (late escapes, long cycles) and random ones', () => {
  same({ width: 257, height: 64, escape: 20_000, view: { cx: -0.743643887, cy: 0.131825904, scale: 1e-7 } });
  same({ width: 128, height: 97, escape: 5000, view: { cx: -1.7549, cy: 0, scale: 1e-5 } });
  fc.assert(
    fc.property(
      fc.double({ min: -2, max: 0.5, noNaN: true }),
      fc.double({ min: -1.2, max: 1.2, noNaN: true }),
      fc.double({ min: 1e-9, max: 0.02, noNaN: true }),
      fc.integer({ min: 1, max: 40 }),
      fc.constantFrom(10, 100, 1000),
      (cx, cy, scale, width, escape) => same({ width, height: 7, escape, view: { cx, cy, scale } }),
    ),
    { numRuns: 300 },
  );
});

test('a kernel instance grows its memory for wider images and stays correct', () => {
  same({ width: 12, height: 3, escape: 100 });
  same({ width: 8192, height: 2, escape: 100 }); // 8192 doubles and counts: more than one page
  same({ width: 12, height: 3, escape: 100 });
});
