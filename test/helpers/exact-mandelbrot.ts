// The escape count of one point computed directly in arbitrary precision (BigInt fixed point, no
// perturbation, no shortcut): the independent reference deep renders are checked against.
import { decimalToFixed, doubleToFixed, precisionBits, type DeepView } from '../../common/src/deep/index.ts';

/** The escape count of the pixel at offset (dcx, dcy) from the view's centre, c = centre + offset exactly. */
export function exactEscape(v: DeepView, dcx: number, dcy: number, escape: number): number {
  const bits = precisionBits(v.scale);
  const B = BigInt(bits);
  const cx = decimalToFixed(v.cx, bits) + doubleToFixed(dcx, bits);
  const cy = decimalToFixed(v.cy, bits) + doubleToFixed(dcy, bits);
  const four = 4n << B;
  let x = 0n;
  let y = 0n;
  for (let n = 0; n < escape; n++) {
    const x2 = (x * x) >> B;
    const y2 = (y * y) >> B;
    if (x2 + y2 > four) return n;
    y = ((2n * x * y) >> B) + cy;
    x = x2 - y2 + cx;
  }
  return escape;
}
