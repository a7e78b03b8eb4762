import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnRe, defaultHeight, INSIDE, PALETTE, PALETTE_SIZE, PNG_PALETTE, rowIm } from '../../common/src/mandelbrot-view.ts';
import { escapeCount, escapeCountPlain, renderRows } from '../../cluster-image/src/render/kernel.ts';
import { planBands } from '../../lb-image/src/render/band-plan.ts';
import { viewRowIm } from '../../common/src/mandelbrot-view.ts';

test('bands cover every piece exactly once, more bands than clusters', () => {
  for (const [pieces, clusters] of [[1, 3], [7, 3], [300, 1], [300, 5], [4096, 2]] as const) {
    const bands = planBands(pieces, 100, clusters, 8);
    assert.equal(bands[0]!.first, 0);
    assert.equal(bands.at(-1)!.end, pieces);
    for (let i = 1; i < bands.length; i++) assert.equal(bands[i]!.first, bands[i - 1]!.end);
    assert.ok(bands.every((b) => b.end > b.first));
    assert.equal(bands.length, Math.min(pieces, clusters * 8));
    const sizes = bands.map((b) => b.end - b.first);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  }
});

test('bands stay under the byte limit for wide images', () => {
  const bands = planBands(4096, 8192, 1, 1, 1024 * 1024);
  assert.ok(bands.every((b) => (b.end - b.first) * 8192 <= 1024 * 1024));
});

test('rows y and height-1-y are exact mirrors (default view, and any view centred on the real axis), so rendering half the rows is exact', () => {
  for (const h of [1, 2, 7, 480, 1001]) {
    for (let y = 0; y < h; y++) {
      assert.ok(rowIm(h - 1 - y, h) === -rowIm(y, h), `h=${h} y=${y}`);
      assert.ok(viewRowIm(h - 1 - y, h, { cx: -0.5, cy: 0, scale: 0.0037 }) === -viewRowIm(y, h, { cx: -0.5, cy: 0, scale: 0.0037 }), `view h=${h} y=${y}`);
    }
  }
  const p = { width: 61, height: 47, escape: 200 };
  const full = renderRows(p, 0, p.height);
  for (let y = 0; y < p.height; y++) {
    assert.deepEqual(full.subarray(y * p.width, (y + 1) * p.width), full.subarray((p.height - 1 - y) * p.width, (p.height - y) * p.width));
  }
});

test('the kernel shortcuts (cardioid, bulb, periodicity) give exactly the plain loop image', () => {
  for (const p of [{ width: 200, height: defaultHeight(200), escape: 500 }, { width: 97, height: 31, escape: 5000 }]) {
    const fast = renderRows(p, 0, p.height);
    const plain = renderRows(p, 0, p.height, escapeCountPlain);
    assert.ok(Buffer.from(fast).equals(Buffer.from(plain)), `image differs for ${JSON.stringify(p)}`);
  }
  // And point by point on a grid that crosses the cardioid and bulb boundaries.
  for (let i = 0; i < 400; i++) {
    const cr = -2 + (i % 20) * 0.13;
    const ci = -1.2 + Math.floor(i / 20) * 0.12;
    assert.equal(escapeCount(cr, ci, 300), escapeCountPlain(cr, ci, 300), `${cr},${ci}`);
  }
});

test('the PNG palette is the fixed palette plus black for points inside the set', () => {
  assert.equal(PNG_PALETTE.length, PALETTE_SIZE + 1);
  assert.deepEqual(PNG_PALETTE[INSIDE], [0, 0, 0]);
  assert.deepEqual(PNG_PALETTE[5], [PALETTE[15], PALETTE[16], PALETTE[17]]);
  const p = { width: 50, height: 40, escape: 300 };
  assert.ok(renderRows(p, 0, p.height).every((i) => i <= INSIDE));
});

test('the view maps pixel centres into the default rectangle', () => {
  assert.ok(columnRe(0, 100) > -2 && columnRe(99, 100) < 0.5);
  assert.ok(rowIm(0, 100) < 1.2 && rowIm(0, 100) > 1.1);
  assert.equal(defaultHeight(2500), 2400);
});
