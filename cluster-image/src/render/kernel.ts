// The escape-time kernel. Hot code: no objects or allocation inside the pixel loops.
// Every shortcut here is exact (the image is byte-for-byte the one the plain loop gives;
// test/unit/kernel.test.ts compares them):
//  - points in the main cardioid or the period-2 bulb are inside the set: no iteration needed;
//  - if z ever repeats bit-for-bit, the orbit cycles forever and can never escape (Brent-style
//    periodicity check), so the point is inside.
import { paletteIndex, pixelColumns, pixelRowIm, type RenderParams } from '@hscale/common';

/** Escape count of c = cr + i*ci: the iteration at which |z| > 2, or `escape` if it never does. */
export function escapeCount(cr: number, ci: number, escape: number): number {
  const ci2 = ci * ci;
  const q = (cr - 0.25) * (cr - 0.25) + ci2;
  if (q * (q + (cr - 0.25)) <= 0.25 * ci2) return escape; // main cardioid
  if ((cr + 1) * (cr + 1) + ci2 <= 0.0625) return escape; // period-2 bulb
  let x = 0;
  let y = 0;
  let x2 = 0;
  let y2 = 0;
  let savedX = 0;
  let savedY = 0;
  let checkAt = 8;
  for (let n = 0; n < escape; n++) {
    if (x2 + y2 > 4) return n;
    y = 2 * x * y + ci;
    x = x2 - y2 + cr;
    x2 = x * x;
    y2 = y * y;
    if (x === savedX && y === savedY) return escape;
    if (n === checkAt) {
      savedX = x;
      savedY = y;
      checkAt *= 2;
    }
  }
  return escape;
}

/** The plain loop, kept as the reference the shortcuts are checked against (tests, benchmark). */
export function escapeCountPlain(cr: number, ci: number, escape: number): number {
  let x = 0;
  let y = 0;
  let n = 0;
  while (n < escape) {
    const x2 = x * x;
    const y2 = y * y;
    if (x2 + y2 > 4) break;
    y = 2 * x * y + ci;
    x = x2 - y2 + cr;
    n++;
  }
  return n;
}

/** Palette indices (one byte per pixel, INSIDE for points in the set) of rows [y0, y1), row after row. */
export function renderRows(p: RenderParams, y0: number, y1: number, count: typeof escapeCount = escapeCount): Uint8Array {
  const out = new Uint8Array((y1 - y0) * p.width);
  const re = pixelColumns(p);
  let o = 0;
  for (let y = y0; y < y1; y++) {
    const ci = pixelRowIm(p, y);
    for (let x = 0; x < p.width; x++) out[o++] = paletteIndex(count(re[x]!, ci, p.escape), p.escape);
  }
  return out;
}
