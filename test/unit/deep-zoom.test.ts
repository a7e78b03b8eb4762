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
import { decimalToFixed, deepColumnOffset, deepRowOffset, deepTileView, doubleToFixed, fixedToDouble, MAX_DEEP_TILE_ZOOM, MIN_DEEP_SCALE, perturbedEscape, referenceOrbit } from '../../common/src/deep/index.ts';
import { tileView } from '../../common/src/mandelbrot-view.ts';
import { exactEscape } from '../helpers/exact-mandelbrot.ts';
import { besideI, besideMinibrot } from '../helpers/deep-views.ts';

const WIDTH = 1000;
const ESCAPE = 4000;
/** Pixels checked per view: a 20 × 20 grid over the whole image, and 7 × 7 around c = i. */
const GRID = 20;

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

for (const period of [26, 56, 110, 220, 390]) {
  const { view: v, minibrot } = besideMinibrot(period, WIDTH);
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

test('deep tiles: the same squares as shallow tiles, exact at any zoom; the deepest has pixels of at least 1e-300', () => {
  for (const [z, x, y] of [[0, 0, 0], [3, 2, 5], [20, 123456, 654321], [36, 2 ** 35 + 17, 2 ** 34 - 3]] as const) {
    const deep = deepTileView(z, BigInt(x), BigInt(y));
    const shallow = tileView(z, x, y);
    assert.deepEqual([Number(deep.cx), Number(deep.cy), deep.scale], [shallow.cx, shallow.cy, shallow.scale], `${z}/${x}/${y}`);
  }
  // At zoom 990 the last tile's centre is 0.75 - half a tile, exactly.
  const z = MAX_DEEP_TILE_ZOOM;
  const last = 2n ** BigInt(z) - 1n;
  const v = deepTileView(z, last, last);
  const bits = z + 1;
  assert.equal(decimalToFixed(v.cx, bits), (3n << BigInt(z - 1)) - 3n, 'centre: 0.75 - 3/2^(z+1), exactly');
  assert.equal(decimalToFixed(v.cy, bits), -(3n << BigInt(z)) + 3n, 'centre: -1.5 + 3/2^(z+1), exactly');
  assert.equal(z, 990);
  assert.ok(v.scale >= MIN_DEEP_SCALE && v.scale / 2 < MIN_DEEP_SCALE, `zoom ${z}: pixels of ${v.scale}`);
});
