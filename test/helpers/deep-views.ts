// Deep views for tests: beside the Misiurewicz point c = i, and beside minibrots in the spirals
// around it. A minibrot's nucleus is a c whose critical orbit returns exactly to 0 after `period`
// steps; Newton's method on z_p(c) = 0, in BigInt fixed point, finds one from a nearby guess. Its size is estimated as 1/|β·λ²| (λ the product of 2·z_n over the period, β the
// sum of the partial products' reciprocals; the estimate deep-zoom tools such as mathr's use).
import { doubleToFixed, fixedToDecimal, fixedToDouble, precisionBits, type DeepView } from '../../common/src/deep/index.ts';

export interface FixedComplex {
  x: bigint;
  y: bigint;
}

/** The nucleus of period `period` nearest (in Newton's sense) to `guess`, in fixed point with `bits` fraction bits. */
export function nucleus(period: number, guess: FixedComplex, bits: number): FixedComplex {
  const B = BigInt(bits);
  const one = 1n << B;
  let { x: cx, y: cy } = guess;
  for (let step = 0; step < 200; step++) {
    let [x, y, dx, dy] = [0n, 0n, 0n, 0n];
    for (let n = 0; n < period; n++) {
      // dz/dc first: it uses z before the step.
      [dx, dy] = [((2n * (x * dx - y * dy)) >> B) + one, (2n * (x * dy + y * dx)) >> B];
      [x, y] = [((x * x - y * y) >> B) + cx, ((2n * x * y) >> B) + cy];
    }
    const norm = (dx * dx + dy * dy) >> B;
    if (norm === 0n) break;
    // The Newton step z / (dz/dc).
    const [qx, qy] = [(x * dx + y * dy) / norm, (y * dx - x * dy) / norm];
    cx -= qx;
    cy -= qy;
    if (qx > -16n && qx < 16n && qy > -16n && qy < 16n) return { x: cx, y: cy };
  }
  throw new Error(`Newton's method found no nucleus of period ${period} there`);
}

/** log10 of the minibrot's size (its nucleus `c` and period), in doubles with the magnitudes kept as logarithms. */
export function log10MinibrotSize(period: number, c: FixedComplex, bits: number): number {
  const B = BigInt(bits);
  let [x, y] = [0n, 0n];
  let logLambda = 0; // log10 |λ_n|, λ_n = Π 2·z_k (k = 1..n)
  let [ux, uy] = [1, 0]; // λ_n / |λ_n|
  let [bx, by] = [0, 0]; // β_n = Σ 1/λ_k
  for (let n = 1; n < period; n++) {
    [x, y] = [((x * x - y * y) >> B) + c.x, ((2n * x * y) >> B) + c.y];
    const [zx, zy] = [2 * fixedToDouble(x, bits), 2 * fixedToDouble(y, bits)];
    const m = Math.hypot(zx, zy);
    logLambda += Math.log10(m);
    [ux, uy] = [(ux * zx - uy * zy) / m, (ux * zy + uy * zx) / m];
    const inverse = 10 ** -logLambda; // 1/λ_n = conj(u) / |λ_n|
    bx += inverse * ux;
    by -= inverse * uy;
  }
  return -(Math.log10(Math.hypot(bx, by)) + 2 * logLambda);
}

/** The view whose centre is i + (1 + i)·0.7071·10^-k, with pixels of 0.7071·10^-k / 40: c = i is 40 pixels left and 40 down. */
export function besideI(k: number): DeepView {
  const digits = '7071067811865476';
  return { cx: `0.${'0'.repeat(k - 1)}${digits}`, cy: `1.${'0'.repeat(k - 1)}${digits}`, scale: Number(`${digits[0]}.${digits.slice(1)}e-${k}`) / 40 };
}

/**
 * A view beside the minibrot of period `period` that Newton's method finds from i + 5.66^(-(p-2)/2)
 * (nuclei of period p lie about that far from i: 5.66 = 4·|1 + i|, the growth per step of i's
 * 2-cycle, which also turns by 45°: the spirals). The minibrot is about 100 pixels across, 300
 * pixels right of the centre and 100 above it; the centre's orbit, the reference, escapes.
 */
export function besideMinibrot(period: number, width: number): { view: DeepView; minibrot: [number, number] } {
  // Enough bits for the nucleus and for a pixel of a hundredth of its size (about 10^(-0.75 p)).
  const bits = precisionBits(10 ** (-0.8 * period - 4));
  const one = 1n << BigInt(bits);
  const c = nucleus(period, { x: doubleToFixed((4 * Math.SQRT2) ** (-(period - 2) / 2), bits), y: one }, bits);
  const scale = 10 ** log10MinibrotSize(period, c, bits) / 100;
  if (precisionBits(scale) > bits) throw new Error(`period ${period}: a pixel of ${scale} needs more bits than the nucleus has`);
  const view = { cx: fixedToDecimal(c.x - doubleToFixed(300 * scale, bits), bits), cy: fixedToDecimal(c.y - doubleToFixed(100 * scale, bits), bits), scale };
  return { view, minibrot: [Math.round((width - 1) / 2 + 300), Math.round((width - 1) / 2 - 100)] };
}
