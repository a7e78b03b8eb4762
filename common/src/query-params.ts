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
