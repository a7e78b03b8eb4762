// Deep views (common/src/deep/): perturbation around one reference orbit gives, pixel for pixel,
// the escape counts of a direct arbitrary-precision computation (test/helpers/exact-mandelbrot.ts),
// at pixel sizes from 1.8e-19 to 1.8e-299; with glitch correction (rebasing) turned off, it does not.
// The views sit beside c = i, a Misiurewicz point: its neighbourhood is filaments at every depth,
// and pixels near it outlive the reference orbit (the centre's escapes first), which a plain
// perturbation cannot follow. (These views do not need the other rebasing rule, |z| < |d|: views
// near minibrots, where it matters, are not in this test yet.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalToFixed, deepColumnOffset, deepRowOffset, doubleToFixed, fixedToDouble, perturbedEscape, referenceOrbit, type DeepView } from '../../common/src/deep/index.ts';
import { exactEscape } from '../helpers/exact-mandelbrot.ts';

const WIDTH = 1000;
const ESCAPE = 4000;
/** Pixels checked per view: a 20 × 20 grid over the whole image, and 7 × 7 around c = i. */
const GRID = 20;

/** The view whose centre is i + (1 + i)·0.7071·10^-k, with pixels of 0.7071·10^-k / 40: c = i is 40 pixels left and 40 down. */
function besideI(k: number): DeepView {
  const digits = '7071067811865476';
  return { cx: `0.${'0'.repeat(k - 1)}${digits}`, cy: `1.${'0'.repeat(k - 1)}${digits}`, scale: Number(`${digits[0]}.${digits.slice(1)}e-${k}`) / 40 };
}

for (const k of [18, 48, 98, 198, 298]) {
  const v = besideI(k);
  test(`a pixel of ${v.scale.toExponential(1)}: perturbation equals the exact escape counts; without rebasing it does not`, () => {
    const orbit = referenceOrbit(v, ESCAPE);
    let mismatches = 0;
    let glitched = 0;
    const counts = new Set<number>();
    // A grid over the whole image, and the pixels around c = i (at 40 pixels down and to the left of
    // the centre), whose orbits outlive the centre's: the reference ends before theirs.
    const pixels: [number, number][] = [];
    for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) pixels.push([Math.round(((i + 0.5) * WIDTH) / GRID), Math.round(((j + 0.5) * WIDTH) / GRID)]);
    const [ix, iy] = [Math.round((WIDTH - 1) / 2 - 40), Math.round((WIDTH - 1) / 2 + 40)];
    for (let j = -3; j <= 3; j++) for (let i = -3; i <= 3; i++) pixels.push([ix + i, iy + j]);
    {
      for (const [x, y] of pixels) {
        const dcx = deepColumnOffset(x, WIDTH, v.scale);
        const dcy = deepRowOffset(y, WIDTH, v.scale);
        const exact = exactEscape(v, dcx, dcy, ESCAPE);
        counts.add(exact);
        if (perturbedEscape(orbit, dcx, dcy, ESCAPE) !== exact) mismatches++;
        if (perturbedEscape(orbit, dcx, dcy, ESCAPE, false) !== exact) glitched++;
      }
    }
    assert.ok(counts.size >= 5, `a view with detail (${counts.size} distinct counts)`);
    assert.equal(mismatches, 0, `${mismatches} of ${pixels.length} pixels differ from the exact computation`);
    assert.ok(glitched > 0, 'without rebasing, some pixels are wrong: the test would catch glitch correction turned off');
  });
}

test('fixed point: decimals and doubles exactly, back to the nearest double', () => {
  assert.equal(decimalToFixed('1.5', 4), 24n);
  assert.equal(decimalToFixed('-0.25', 8), -64n);
  assert.equal(decimalToFixed('25e-2', 8), 64n);
  assert.equal(decimalToFixed('.5', 1), 1n);
  assert.throws(() => decimalToFixed('1.2.3', 8));
  for (const d of [1, -3.75, 2 ** -1000, 1e-300 * 3, 0.1, -1.7976931348623157e308 / 2 ** 900]) {
    const bits = 1100;
    assert.equal(fixedToDouble(doubleToFixed(d, bits), bits), d, String(d));
  }
  assert.equal(fixedToDouble(decimalToFixed('0.1', 200), 200), 0.1);
});
