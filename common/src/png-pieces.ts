// A PNG made of independently compressed pieces, so that the clusters compress their own rows and
// the LB only concatenates. A PNG's image data is one zlib stream split over any number of IDAT
// chunks; a stream of raw deflate pieces, each ended by a sync flush (byte-aligned, not final),
// is a valid deflate stream once a final empty block follows, and the zlib checksum (Adler-32) of
// the whole is combined from the pieces' own. Pieces are fixed by the image's size alone (never by
// the number of clusters), so the bytes are the same whoever renders which band.
//
// Layout: rows are cut into pieces of rowsPerPiece(width) rows from the top. For a mirror-symmetric
// view (isMirrorSymmetric) only the top half is rendered; the bottom half is cut into the mirror
// images of the top pieces, and whoever renders top piece k also compresses its mirror piece.
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { PNG_PALETTE } from './mandelbrot-view.js';

/** About this many bytes of image data per piece: compressed apart, pieces lose little ratio. */
export const PIECE_TARGET_BYTES = 64 * 1024;
export const rowsPerPiece = (width: number) => Math.max(1, Math.floor(PIECE_TARGET_BYTES / (width + 1)));

export interface PieceLayout {
  width: number;
  height: number;
  symmetric: boolean;
  /** Rows rendered: all, or the top half (with the middle row) of a symmetric view. */
  topRows: number;
  /** Pieces of rendered rows: what bands are made of. */
  top: number;
  /** Pieces in the PNG: top + their mirrors. */
  total: number;
}

export function pieceLayout(width: number, height: number, symmetric: boolean): PieceLayout {
  const topRows = symmetric ? Math.ceil(height / 2) : height;
  const top = Math.ceil(topRows / rowsPerPiece(width));
  return { width, height, symmetric, topRows, top, total: symmetric ? 2 * top : top };
}

/** Rendered rows [y0, y1) of top piece k. */
export function topPieceRows(l: PieceLayout, k: number): [number, number] {
  const n = rowsPerPiece(l.width);
  return [k * n, Math.min(l.topRows, (k + 1) * n)];
}

/**
 * The mirror of top piece k: where it sits in the PNG's piece order (the bottom half runs upwards
 * through the top pieces) and its rows as offsets into top piece k's rows, in output order. The
 * middle row of an odd height has no mirror, so a piece may be empty.
 */
export function mirrorPiece(l: PieceLayout, k: number): { index: number; rows: number[] } {
  const [y0, y1] = topPieceRows(l, k);
  const mirrored = Math.floor(l.height / 2); // rows 0 .. mirrored-1 have a mirror
  const rows: number[] = [];
  for (let y = Math.min(y1, mirrored) - 1; y >= y0; y--) rows.push(y - y0);
  return { index: l.top + (l.top - 1 - k), rows };
}

/** How many rows the piece at `index` holds: a top piece's, or its mirror's (maybe none). */
export function pieceRowCount(l: PieceLayout, index: number): number {
  if (index < l.top) {
    const [y0, y1] = topPieceRows(l, index);
    return y1 - y0;
  }
  return mirrorPiece(l, l.top - 1 - (index - l.top)).rows.length;
}

/** One compressed piece: its IDAT chunk, and what the stream's checksum needs of it. */
export interface Piece {
  index: number;
  adler: number;
  rawLength: number;
  chunk: Buffer;
}

const ADLER_MOD = 65521;

export function adler32(data: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = start >>> 16;
  for (let i = 0; i < data.length; ) {
    // 5552 bytes is the most that can be summed before b may overflow 2^32 (zlib's NMAX).
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** Adler-32 of A followed by B, from adler(A), adler(B) and B's length (zlib's adler32_combine). */
export function adler32Combine(a1: number, a2: number, len2: number): number {
  const rem = len2 % ADLER_MOD;
  let sum1 = a1 & 0xffff;
  let sum2 = (rem * sum1) % ADLER_MOD;
  sum1 += (a2 & 0xffff) + ADLER_MOD - 1;
  sum2 += (a1 >>> 16) + (a2 >>> 16) + ADLER_MOD - rem;
  sum1 %= ADLER_MOD;
  sum2 %= ADLER_MOD;
  return ((sum2 << 16) | sum1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A piece holds the rows its place says (each a filter byte and `width` indices), in one IDAT chunk
 * whose length and checksum are right, or is empty exactly when its place has no rows. What the LB
 * checks of a cluster's pieces: one of another version, or a broken one, never makes a corrupt PNG.
 */
export function pieceFits(l: PieceLayout, p: Piece): boolean {
  const rows = pieceRowCount(l, p.index);
  if (p.rawLength !== rows * (l.width + 1)) return false;
  if (rows === 0) return p.chunk.length === 0;
  const c = p.chunk;
  return c.length >= 12 && c.readUInt32BE(0) === c.length - 12 && c.toString('latin1', 4, 8) === 'IDAT' && c.readUInt32BE(c.length - 4) === crc32(c.subarray(4, c.length - 4));
}

/**
 * Compresses rows of palette indices (one byte per pixel, `width` per row; `order` picks and orders
 * the rows, by default all in turn) into a piece. Filter "none" on every row, as PNG advises for
 * palette images; zlib level 3, a third of level 6's time for a file 10% larger.
 */
export function compressPiece(index: number, pixels: Uint8Array, width: number, order?: number[]): Piece {
  const rows = order ?? Array.from({ length: pixels.length / width }, (_, i) => i);
  const raw = Buffer.alloc(rows.length * (width + 1));
  rows.forEach((r, i) => raw.set(pixels.subarray(r * width, (r + 1) * width), i * (width + 1) + 1));
  const data = raw.length ? deflateRawSync(raw, { level: 3, finishFlush: constants.Z_SYNC_FLUSH }) : Buffer.alloc(0);
  return { index, adler: adler32(raw), rawLength: raw.length, chunk: data.length ? chunk('IDAT', data) : Buffer.alloc(0) };
}

// Pieces travel from a cluster to the LB as records: index, adler, raw length, chunk length, chunk.
const RECORD_HEADER = 16;

export function packPieces(pieces: Piece[]): Buffer {
  const out = Buffer.alloc(pieces.reduce((n, p) => n + RECORD_HEADER + p.chunk.length, 0));
  let o = 0;
  for (const p of pieces) {
    out.writeUInt32BE(p.index, o);
    out.writeUInt32BE(p.adler, o + 4);
    out.writeUInt32BE(p.rawLength, o + 8);
    out.writeUInt32BE(p.chunk.length, o + 12);
    out.set(p.chunk, o + RECORD_HEADER);
    o += RECORD_HEADER + p.chunk.length;
  }
  return out;
}

/** The records of a cluster's answer; null if they are cut short or run over. */
export function unpackPieces(buf: Buffer): Piece[] | null {
  const pieces: Piece[] = [];
  for (let o = 0; o < buf.length; ) {
    if (o + RECORD_HEADER > buf.length) return null;
    const length = buf.readUInt32BE(o + 12);
    if (o + RECORD_HEADER + length > buf.length) return null;
    pieces.push({ index: buf.readUInt32BE(o), adler: buf.readUInt32BE(o + 4), rawLength: buf.readUInt32BE(o + 8), chunk: buf.subarray(o + RECORD_HEADER, o + RECORD_HEADER + length) });
    o += RECORD_HEADER + length;
  }
  return pieces;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** zlib header: deflate, 32 KiB window, "fast" level; (0x78 * 256 + 0x5e) % 31 === 0. */
const ZLIB_HEADER = Buffer.from([0x78, 0x5e]);
/** A final, empty block with fixed codes: what ends the deflate stream after the last sync flush. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** The PNG of an indexed-colour image (PNG_PALETTE) from all its pieces, in index order. */
export function assemblePng(width: number, height: number, pieces: Piece[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // 8 bits per index, palette colour, deflate, adaptive filters, no interlace
  const plte = Buffer.from(PNG_PALETTE.flat());
  let adler = 1;
  for (const p of pieces) adler = adler32Combine(adler, p.adler, p.rawLength);
  const tail = Buffer.alloc(6);
  FINAL_BLOCK.copy(tail, 0);
  tail.writeUInt32BE(adler, 2);
  return Buffer.concat([
    SIGNATURE, chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', ZLIB_HEADER),
    ...pieces.map((p) => p.chunk), chunk('IDAT', tail), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The pieces of top pieces [k0, k1) of an image whose rendered rows [y0, y1) are `pixels`: each top
 * piece, and in a symmetric layout its mirror. What a cluster answers for one band.
 */
export function piecesOf(l: PieceLayout, k0: number, k1: number, pixels: Uint8Array): Piece[] {
  const [base] = topPieceRows(l, k0);
  const out: Piece[] = [];
  for (let k = k0; k < k1; k++) {
    const [y0, y1] = topPieceRows(l, k);
    const rows = pixels.subarray((y0 - base) * l.width, (y1 - base) * l.width);
    out.push(compressPiece(k, rows, l.width));
    if (l.symmetric) {
      const m = mirrorPiece(l, k);
      out.push(compressPiece(m.index, rows, l.width, m.rows));
    }
  }
  return out;
}

/** The whole image rendered in one place (tests, the benchmark's reference): the same bytes. */
export function encodeWholePng(pixels: Uint8Array, width: number, height: number, symmetric: boolean): Buffer {
  const l = pieceLayout(width, height, symmetric);
  const pieces = piecesOf(l, 0, l.top, pixels.subarray(0, l.topRows * width));
  return assemblePng(width, height, pieces.sort((a, b) => a.index - b.index));
}
