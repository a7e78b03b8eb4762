import { badRequest } from './http-errors.js';

/** A whole-number query parameter in [min, max]; `fallback` when absent (if given), else 400. */
export function intQueryParam(raw: unknown, name: string, min: number, max: number, fallback?: number): number {
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badRequest('invalid_parameter', `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw ?? null)}`);
  }
  return n;
}

/** A finite decimal number (no hex, no Infinity, no NaN) with |value| ≤ maxAbs, or 400. */
export function numberQueryParam(raw: unknown, name: string, maxAbs: number): number {
  const n = typeof raw === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || Math.abs(n) > maxAbs) {
    throw badRequest('invalid_parameter', `${name} must be a decimal number from -${maxAbs} to ${maxAbs}; got ${JSON.stringify(raw ?? null)}`);
  }
  return n;
}
