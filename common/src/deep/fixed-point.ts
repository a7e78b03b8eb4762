// Arbitrary-precision numbers for deep views: BigInt fixed point, a value v standing for
// v / 2^bits. Exact for the decimal coordinates a client gives and for any double.

/** A decimal as cx and cy arrive: digits, an optional fraction and exponent (no other form). */
export const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/** Fraction bits that keep a pixel of `scale` exact with 64 bits to spare (the orbit's precision). */
export const precisionBits = (scale: number): number => Math.max(64, Math.ceil(-Math.log2(scale)) + 64);

/** A decimal string as fixed point with `bits` fraction bits (truncated toward zero beyond them). */
export function decimalToFixed(text: string, bits: number): bigint {
  const m = DECIMAL_PATTERN.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal number: ${text.slice(0, 40)}`);
  const digits = BigInt((m[2] || '0') + (m[3] ?? ''));
  const exp = Number(m[4] ?? 0) - (m[3] ?? '').length;
  const shifted = digits << BigInt(bits);
  const v = exp >= 0 ? shifted * 10n ** BigInt(exp) : shifted / 10n ** BigInt(-exp);
  return m[1] === '-' ? -v : v;
}

/** A double as fixed point, exactly when it is a multiple of 2^-bits (every pixel offset is). */
export function doubleToFixed(d: number, bits: number): bigint {
  if (d === 0) return 0n;
  // d = mant * 2^e with an integer mant of at most 53 bits (log2 may round up near a power of 2).
  let e = Math.max(-1074, Math.floor(Math.log2(Math.abs(d))) - 52);
  while (!Number.isInteger(d / 2 ** e)) e--;
  let mant = BigInt(d / 2 ** e);
  const shift = e + bits;
  if (shift < 0) return mant >> BigInt(-shift);
  mant <<= BigInt(shift);
  return mant;
}

/** The double nearest to v / 2^bits (within an ulp: the top 64 bits are kept before rounding). */
export function fixedToDouble(v: bigint, bits: number): number {
  if (v === 0n) return 0;
  const neg = v < 0n;
  const a = neg ? -v : v;
  const len = a.toString(16).length * 4; // at most 3 bits above the true length
  const shift = Math.max(0, len - 64);
  const d = Number(a >> BigInt(shift)) * 2 ** (shift - bits);
  return neg ? -d : d;
}

/** Fixed point as exact decimal text (2^-bits has `bits` decimal digits, so every bit is kept). */
export function fixedToDecimal(v: bigint, bits: number): string {
  const negative = v < 0n;
  const a = negative ? -v : v;
  const whole = a >> BigInt(bits);
  const fraction = ((a - (whole << BigInt(bits))) * 5n ** BigInt(bits)).toString().padStart(bits, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
