// The WebAssembly SIMD kernel computes exactly the TypeScript kernel's pixels (which a test of its
// own checks against the plain loop): any view, odd widths (a last pixel alone), small escape
// limits, points that cycle and points that escape late, two lanes stopping at different times.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { defaultHeight, type RenderParams } from '../../common/src/mandelbrot-view.ts';
import { renderRows } from '../../cluster-image/src/render/kernel.ts';
import { compileKernel, WasmKernel } from '../../cluster-image/src/render/wasm-kernel.ts';
import { deepColumnOffset, deepRowOffset, perturbedEscape, referenceOrbit, renderDeepRows, type DeepView } from '../../common/src/deep/index.ts';
import { besideI, besideMinibrot } from '../helpers/deep-views.ts';

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

test('deep views: the WebAssembly loop gives perturbedEscape\'s counts, pixel for pixel (beside c = i and beside minibrots), and renderDeepRows\' bytes', () => {
  const check = (deep: DeepView, width: number, escape: number, rows: number[]) => {
    const p = { width, height: width, escape, deep };
    const orbit = referenceOrbit(deep, escape);
    for (const y of rows) {
      const dcy = deepRowOffset(y, p.height, deep.scale);
      const expected = Int32Array.from({ length: width }, (_, x) => perturbedEscape(orbit, deepColumnOffset(x, width, deep.scale), dcy, escape));
      assert.deepEqual(kernel.deepCounts(p, orbit, y), expected, `${deep.scale} row ${y}`);
    }
    assert.ok(Buffer.from(kernel.renderDeepRows(p, orbit, rows[0]!, rows[0]! + 3)).equals(Buffer.from(renderDeepRows(p, orbit, rows[0]!, rows[0]! + 3))));
  };
  // Odd widths: a last pixel alone. Rows through c = i (the reference ends first) and through the minibrot (|z| < |d| rebasing).
  check(besideI(48), 301, 4000, [0, 150, 189, 190, 300]);
  check(besideI(298), 255, 3000, [10, 189]);
  for (const period of [26, 110]) {
    const { view, minibrot } = besideMinibrot(period, 1001);
    check(view, 1001, 8000, [minibrot[1] - 10, minibrot[1], minibrot[1] + 7, 500]);
  }
  // Small escape limits: lanes stopping at 1 or 2 iterations, one before the other.
  check(besideI(18), 65, 1, [0, 32]);
  check(besideI(18), 65, 2, [0, 32]);
});
