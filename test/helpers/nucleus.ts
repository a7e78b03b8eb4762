// Minibrots for deep-zoom tests. A minibrot's nucleus is a c whose critical orbit returns exactly
// to 0 after `period` steps; Newton's method on z_p(c) = 0, in BigInt fixed point, finds one from
// a nearby guess. Its size is estimated as 1/|β·λ²| (λ the product of 2·z_n over the period, β the
// sum of the partial products' reciprocals; the estimate deep-zoom tools such as mathr's use).
import { fixedToDouble } from '../../common/src/deep/index.ts';

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

/** Fixed point as exact decimal text (2^-bits has `bits` decimal digits, so every bit is kept). */
export function fixedToDecimal(v: bigint, bits: number): string {
  const negative = v < 0n;
  const a = negative ? -v : v;
  const whole = a >> BigInt(bits);
  const fraction = ((a - (whole << BigInt(bits))) * 5n ** BigInt(bits)).toString().padStart(bits, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
