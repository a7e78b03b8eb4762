// Map tiles deeper than double precision (zoom above MAX_TILE_ZOOM): tile z/x/y covers the square
// of side 3/2^z whose corner is -2.25 + 1.5i moved x sides east and y south, as shallow tiles do
// (mandelbrot-view.ts, tileView); x and y exceed 2^53 there, so they are BigInts, and the centre
// (a multiple of 2^-(z+1)) is exact decimal text. Rendered by perturbation like any deep view.
import { MAX_TILE_ZOOM, TILE_SIZE } from '../mandelbrot-view.js';
import { MIN_DEEP_SCALE, type DeepView } from './deep-view.js';
import { fixedToDecimal } from './fixed-point.js';

/** The deepest tile zoom: its pixels (3/256/2^z) are still at least MIN_DEEP_SCALE. */
export const MAX_DEEP_TILE_ZOOM = Math.floor(Math.log2(3 / TILE_SIZE / MIN_DEEP_SCALE));

export const isDeepTileZoom = (z: number): boolean => z > MAX_TILE_ZOOM;

/** The view of deep tile z/x/y (0 ≤ x, y < 2^z). */
export function deepTileView(z: number, x: bigint, y: bigint): DeepView {
  // In units of 2^-(z+2): -2.25 is -9·2^z, 1.5 is 6·2^z, and the centre is half a side (6 units)
  // plus x or y sides (12 units each) from them.
  const bits = z + 2;
  const re = 6n * (2n * x + 1n) - 9n * 2n ** BigInt(z);
  const im = 6n * 2n ** BigInt(z) - 6n * (2n * y + 1n);
  return { cx: fixedToDecimal(re, bits), cy: fixedToDecimal(im, bits), scale: 3 / TILE_SIZE / 2 ** z };
}
