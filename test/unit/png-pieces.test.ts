// PNGs assembled from independently compressed pieces: valid (decoded by fast-png, an independent
// decoder, to the same pixels), checksums combined right, and the same bytes however the pieces
// are split into bands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { decode } from 'fast-png';
import { adler32, adler32Combine, assemblePng, encodeWholePng, pieceLayout, piecesOf, rowsPerPiece, unpackPieces, packPieces, mirrorPiece } from '../../common/src/png-pieces.ts';
import { renderRows } from '../../cluster-image/src/render/kernel.ts';
import { defaultHeight, isMirrorSymmetric, type RenderParams } from '../../common/src/mandelbrot-view.ts';

const pixelsOf = (p: RenderParams) => renderRows(p, 0, p.height);

test('adler32 and its combination agree with each other on any split', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.nat(), (data, cut) => {
      const at = data.length ? cut % (data.length + 1) : 0;
      const whole = adler32(data);
      assert.equal(adler32Combine(adler32(data.subarray(0, at)), adler32(data.subarray(at)), data.length - at), whole);
    }),
  );
  assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398); // the classic example
});

test('an assembled PNG decodes (fast-png) to exactly the rendered pixels, for symmetric and other views, odd and even heights', () => {
  const cases: RenderParams[] = [
    { width: 300, height: defaultHeight(300), escape: 200 },
    { width: 17, height: 9, escape: 100 },
    { width: 1, height: 1, escape: 10 },
    { width: 64, height: 1000, escape: 50 }, // many pieces
    { width: 120, height: 77, escape: 300, view: { cx: -0.7, cy: 0.2, scale: 0.004 } },
    { width: 120, height: 77, escape: 300, view: { cx: -0.7, cy: 0, scale: 0.004 } },
  ];
  for (const p of cases) {
    const pixels = pixelsOf(p);
    const png = encodeWholePng(pixels, p.width, p.height, isMirrorSymmetric(p));
    const decoded = decode(png);
    assert.deepEqual([decoded.width, decoded.height, decoded.depth, decoded.channels], [p.width, p.height, 8, 1], JSON.stringify(p));
    assert.ok(Buffer.from(decoded.data as Uint8Array).equals(Buffer.from(pixels)), `pixels of ${JSON.stringify(p)}`);
  }
});

test('the same bytes however the top pieces are split into bands, and in whatever order bands arrive', () => {
  const p = { width: 1000, height: 1001, escape: 150 }; // 65 rows per piece: 8 top pieces
  const pixels = pixelsOf(p);
  const l = pieceLayout(p.width, p.height, true);
  const whole = encodeWholePng(pixels, p.width, p.height, true);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: l.top - 1 }), { maxLength: 5 }), fc.boolean(), (cuts, reverse) => {
      const bounds = [0, ...cuts.sort((a, b) => a - b), l.top];
      assert.ok(l.top >= 8);
      const bands = bounds.slice(1).map((k1, i) => [bounds[i]!, k1] as const);
      if (reverse) bands.reverse();
      const pieces = bands.flatMap(([k0, k1]) => {
        const [y0] = [k0 * rowsPerPiece(p.width)];
        const y1 = Math.min(l.topRows, k1 * rowsPerPiece(p.width));
        // Through the wire format, as a cluster answers.
        return unpackPieces(packPieces(piecesOf(l, k0, k1, pixels.subarray(y0 * p.width, y1 * p.width))))!;
      });
      assert.equal(pieces.length, l.total);
      assert.ok(assemblePng(p.width, p.height, pieces.sort((a, b) => a.index - b.index)).equals(whole));
    }),
    { numRuns: 30 },
  );
});

test('the stream is one valid zlib stream (inflated as a whole it is the filtered rows)', () => {
  const p = { width: 50, height: 48, escape: 80 };
  const png = encodeWholePng(pixelsOf(p), p.width, p.height, true);
  // Concatenate the IDAT data and inflate it with zlib's own checksum check.
  const parts: Buffer[] = [];
  for (let o = 8; o < png.length; ) {
    const len = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === 'IDAT') parts.push(png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(parts));
  assert.equal(raw.length, p.height * (p.width + 1));
});

test('mirror pieces: the middle row of an odd height has none; indices run back up through the top pieces', () => {
  const l = pieceLayout(65536, 5, true); // one row per piece: rows 0,1,2 rendered; 3 and 4 are mirrors
  assert.equal(rowsPerPiece(65536), 1);
  assert.deepEqual([l.topRows, l.top, l.total], [3, 3, 6]);
  assert.deepEqual([0, 1, 2].map((k) => mirrorPiece(l, k)), [{ index: 5, rows: [0] }, { index: 4, rows: [0] }, { index: 3, rows: [] }]);
  assert.equal(unpackPieces(Buffer.from([0, 0, 0, 1])), null, 'a record cut short is refused');
});
