// What the LB accepts from a cluster for a band (lb-image/src/render/piece-render.ts): exactly the
// band's pieces, each of the right size in a sound IDAT chunk. A cluster of another version, a
// broken one or a malicious one gets its band refused (and retried elsewhere), never a corrupt PNG.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packPieces, pieceLayout, piecesOf, topPieceRows, type Piece } from '../../common/src/png-pieces.ts';
import { renderRows } from '../../cluster-image/src/render/kernel.ts';
import { bandAnswer } from '../../lb-image/src/render/piece-render.ts';

const p = { width: 1000, height: 1001, escape: 100 }; // 65 rows per piece, symmetric: 8 top pieces
const layout = pieceLayout(p.width, p.height, true);
const band = { first: 2, end: 4 };
const [y0] = topPieceRows(layout, band.first);
const [, y1] = topPieceRows(layout, band.end - 1);
const good = piecesOf(layout, band.first, band.end, renderRows(p, y0, y1));
const answer = (pieces: Piece[]) => bandAnswer(layout, band, packPieces(pieces));

test("the band's own pieces, top and mirrored, are accepted", () => {
  assert.equal(good.length, 4);
  assert.deepEqual(answer(good)?.map((x) => x.index).sort((a, b) => a - b), [2, 3, 12, 13]);
});

test('missing, extra, duplicate or foreign pieces are refused', () => {
  assert.equal(answer(good.slice(1)), null, 'one missing');
  assert.equal(answer([...good, good[0]!]), null, 'one twice more');
  assert.equal(answer([good[0]!, good[0]!, good[2]!, good[3]!]), null, 'a duplicate instead of a piece');
  assert.equal(answer(good.map((x, i) => (i === 0 ? { ...x, index: 5 } : x))), null, 'a piece of another band');
});

test('a piece of the wrong size or with a damaged chunk is refused, and so is a cut answer', () => {
  assert.equal(answer(good.map((x, i) => (i === 1 ? { ...x, rawLength: x.rawLength - 1001 } : x))), null, 'a row short');
  const flipped = Buffer.from(good[0]!.chunk);
  flipped[20] ^= 0xff;
  assert.equal(answer([{ ...good[0]!, chunk: flipped }, ...good.slice(1)]), null, 'bad CRC');
  const renamed = Buffer.from(good[0]!.chunk);
  renamed.write('IEND', 4, 'latin1');
  assert.equal(answer([{ ...good[0]!, chunk: renamed }, ...good.slice(1)]), null, 'not an IDAT chunk');
  assert.equal(bandAnswer(layout, band, packPieces(good).subarray(0, 100)), null, 'cut short');
  assert.equal(bandAnswer(layout, band, Buffer.from('{"error":"x"}')), null, 'not pieces at all');
});
