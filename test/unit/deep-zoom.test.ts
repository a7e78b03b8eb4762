// Deep views (common/src/deep/): perturbation around one reference orbit gives, pixel for pixel,
// the escape counts of a direct arbitrary-precision computation (test/helpers/exact-mandelbrot.ts),
// at pixel sizes from 1.8e-19 to 1.8e-299; with glitch correction (rebasing) turned off, it does not.
// The views sit beside c = i, a Misiurewicz point: its neighbourhood is filaments at every depth,
// and pixels near it outlive the reference orbit (the centre's escapes first), which a plain
// perturbation cannot follow. Five more views sit beside minibrots of periods 26 to 390 in the
// spirals around c = i: there the pixels of the minibrot pass close to 0 where the reference does
// not, which only the other rebasing rule (|z| < |d|) corrects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimalToFixed, deepColumnOffset, deepRowOffset, doubleToFixed, fixedToDouble, perturbedEscape, precisionBits, referenceOrbit, type DeepView } from '../../common/src/deep/index.ts';
import { exactEscape } from '../helpers/exact-mandelbrot.ts';
import { fixedToDecimal, log10MinibrotSize, nucleus } from '../helpers/nucleus.ts';

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
        if (perturbedEscape(orbit, dcx, dcy, ESCAPE, 'none') !== exact) glitched++;
      }
    }
    assert.ok(counts.size >= 5, `a view with detail (${counts.size} distinct counts)`);
    assert.equal(mismatches, 0, `${mismatches} of ${pixels.length} pixels differ from the exact computation`);
    assert.ok(glitched > 0, 'without rebasing, some pixels are wrong: the test would catch glitch correction turned off');
  });
}

/**
 * A view beside the minibrot of period `period` that Newton's method finds from i + 5.66^(-(p-2)/2)
 * (nuclei of period p lie about that far from i: 5.66 = 4·|1 + i|, the growth per step of i's
 * 2-cycle, which also turns by 45°: the spirals). The minibrot is about 100 pixels across, 300
 * pixels right of the centre and 100 above it; the centre's orbit, the reference, escapes.
 */
function besideMinibrot(period: number): { view: DeepView; minibrot: [number, number] } {
  // Enough bits for the nucleus and for a pixel of a hundredth of its size (about 10^(-0.75 p)).
  const bits = precisionBits(10 ** (-0.8 * period - 4));
  const one = 1n << BigInt(bits);
  const c = nucleus(period, { x: doubleToFixed((4 * Math.SQRT2) ** (-(period - 2) / 2), bits), y: one }, bits);
  const scale = 10 ** log10MinibrotSize(period, c, bits) / 100;
  assert.ok(precisionBits(scale) <= bits, `period ${period}: a pixel of ${scale} needs more bits than the nucleus has`);
  const view = { cx: fixedToDecimal(c.x - doubleToFixed(300 * scale, bits), bits), cy: fixedToDecimal(c.y - doubleToFixed(100 * scale, bits), bits), scale };
  return { view, minibrot: [Math.round((WIDTH - 1) / 2 + 300), Math.round((WIDTH - 1) / 2 - 100)] };
}

for (const period of [26, 56, 110, 220, 390]) {
  const { view: v, minibrot } = besideMinibrot(period);
  const escape = 8000;
  test(`beside a minibrot of period ${period}, a pixel of ${v.scale.toExponential(1)}: the exact escape counts; without the |z| < |d| rule, not`, (t) => {
    const orbit = referenceOrbit(v, escape);
    assert.ok(orbit.length / 2 - 1 < escape, 'the reference escapes (it is outside the minibrot)');
    // A grid over the whole image, and 7 × 7 pixels 5 apart over the minibrot and its edge.
    const pixels: [number, number][] = [];
    for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) pixels.push([Math.round(((i + 0.5) * WIDTH) / GRID), Math.round(((j + 0.5) * WIDTH) / GRID)]);
    for (let j = -3; j <= 3; j++) for (let i = -3; i <= 3; i++) pixels.push([minibrot[0] + 5 * i, minibrot[1] + 5 * j]);
    let [mismatches, withoutNearZeroRule, inside] = [0, 0, 0];
    const counts = new Set<number>();
    for (const [x, y] of pixels) {
      const dcx = deepColumnOffset(x, WIDTH, v.scale);
      const dcy = deepRowOffset(y, WIDTH, v.scale);
      const exact = exactEscape(v, dcx, dcy, escape);
      counts.add(exact);
      if (exact === escape) inside++;
      if (perturbedEscape(orbit, dcx, dcy, escape) !== exact) mismatches++;
      if (perturbedEscape(orbit, dcx, dcy, escape, 'at-reference-end') !== exact) withoutNearZeroRule++;
    }
    t.diagnostic(`${pixels.length} pixels, ${inside} inside, ${counts.size} distinct counts; rebasing only at the reference's end: ${withoutNearZeroRule} wrong`);
    assert.ok(inside > 0 && counts.size >= 5, `the minibrot is in the view (${inside} pixels inside), with detail around it (${counts.size} distinct counts)`);
    assert.equal(mismatches, 0, `${mismatches} of ${pixels.length} pixels differ from the exact computation`);
    assert.ok(withoutNearZeroRule > 0, 'rebasing only when the reference ends leaves wrong pixels: the test would catch the |z| < |d| rule turned off');
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
