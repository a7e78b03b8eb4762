// Escape counts of a deep view's pixels as differences from its reference orbit Z (perturbation
// theory, as Kalles Fraktaler and mightymandel do): a pixel c = C + dc has z(n) = Z(n) + d(n) with
//   d(n+1) = 2 Z(n) d(n) + d(n)^2 + dc,
// all in doubles (dc is a few pixels of the view: a double holds it at any depth down to 1e-300).
// Glitches (pixels whose difference stops being small against their own orbit, where doubles lose
// what matters) are corrected by rebasing (Zhuoran's method): when |z| < |d|, or when the reference
// ends (it escaped, or is shorter than the pixel's orbit), the pixel goes on from z as a difference
// from Z(0) = 0, so no pixel is ever left glitched and one reference serves the whole view.
import { paletteIndex } from '../mandelbrot-view.js';
import type { DeepParams } from './deep-view.js';

/**
 * Glitch correction: 'rebase' in production. The others are for tests only, to show what each rule
 * of rebasing fixes: 'at-reference-end' rebases only when the reference ends (no |z| < |d| rule),
 * 'none' not at all (a pixel that outlives its reference is shown as escaped).
 */
export type GlitchCorrection = 'rebase' | 'at-reference-end' | 'none';

/** The escape count of the pixel C + (dcx, dcy): the first n with |z(n)|^2 > 4, or `escape`. */
export function perturbedEscape(Z: Float64Array, dcx: number, dcy: number, escape: number, correction: GlitchCorrection = 'rebase'): number {
  const last = Z.length / 2 - 1;
  const nearZeroRule = correction === 'rebase';
  const corrected = correction !== 'none';
  let dx = 0;
  let dy = 0;
  let m = 0;
  let X = 0; // Z(m): Z(0) = 0
  let Y = 0;
  for (let n = 0; n < escape; n++) {
    const zx = X + dx;
    const zy = Y + dy;
    const r = zx * zx + zy * zy;
    if (r > 4) return n;
    if (m === last && !corrected) return n;
    if (m === last || (nearZeroRule && r < dx * dx + dy * dy)) {
      dx = zx;
      dy = zy;
      m = 0;
      X = 0;
      Y = 0;
    }
    const ndx = 2 * (X * dx - Y * dy) + (dx * dx - dy * dy) + dcx;
    dy = 2 * (X * dy + Y * dx) + 2 * dx * dy + dcy;
    dx = ndx;
    m++;
    X = Z[2 * m]!;
    Y = Z[2 * m + 1]!;
  }
  return escape;
}

/** The pixel's offset from the centre, as viewColumnRe and viewRowIm place pixels (without cx, cy). */
export const deepColumnOffset = (x: number, width: number, scale: number): number => (2 * x - (width - 1)) * (scale / 2);
export const deepRowOffset = (y: number, height: number, scale: number): number => (height - 1 - 2 * y) * (scale / 2);

/** Palette indices of rows [y0, y1) of a deep view, as kernel.ts's renderRows for shallow ones. */
export function renderDeepRows(p: DeepParams, Z: Float64Array, y0: number, y1: number): Uint8Array {
  const out = new Uint8Array((y1 - y0) * p.width);
  const dcx = new Float64Array(p.width);
  for (let x = 0; x < p.width; x++) dcx[x] = deepColumnOffset(x, p.width, p.deep.scale);
  let o = 0;
  for (let y = y0; y < y1; y++) {
    const dcy = deepRowOffset(y, p.height, p.deep.scale);
    for (let x = 0; x < p.width; x++) out[o++] = paletteIndex(perturbedEscape(Z, dcx[x]!, dcy, p.escape), p.escape);
  }
  return out;
}
