// The reference orbit of a deep view (perturbation theory): the orbit of its centre, Z(n+1) =
// Z(n)^2 + C, computed in fixed point with the view's precision, then kept as doubles: every pixel
// of the view is computed as a small difference from it (perturbation.ts). Computed once per view
// (by the LB, lb-image/src/render/orbit-cache.ts) and sent to every cluster that renders a part of it.
import { decimalToFixed, fixedToDouble, precisionBits } from './fixed-point.js';
import type { DeepView } from './deep-view.js';

/**
 * Z(0) = 0, Z(1), ... as [re, im] pairs, until Z escapes (|Z|^2 > 4: its last entry is the first
 * outside) or `escape` iterations: at most escape + 1 entries.
 */
export function referenceOrbit(v: DeepView, escape: number): Float64Array {
  const bits = precisionBits(v.scale);
  const B = BigInt(bits);
  const cx = decimalToFixed(v.cx, bits);
  const cy = decimalToFixed(v.cy, bits);
  const four = 4n << B;
  const out = new Float64Array(2 * (escape + 1));
  let x = 0n;
  let y = 0n;
  let n = 0;
  while (n < escape) {
    const x2 = (x * x) >> B;
    const y2 = (y * y) >> B;
    if (x2 + y2 > four) break;
    y = ((x * y) >> (B - 1n)) + cy;
    x = x2 - y2 + cx;
    n++;
    out[2 * n] = fixedToDouble(x, bits);
    out[2 * n + 1] = fixedToDouble(y, bits);
  }
  return out.slice(0, 2 * (n + 1));
}
