// The key-value rules of the public contract, shared by the LB (which rejects bad input before
// it costs a hop) and the slave (which must not trust its caller either).
import { badRequest, HttpError } from './http-errors.js';

export const MAX_KEY_BYTES = 512;
export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 100;
/** Ten years: long enough for any cache entry, short enough to catch unit mix-ups (ms vs s). */
export const MAX_TTL_SECONDS = 315_360_000;

// C0 controls, DEL and C1 controls.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw badRequest('invalid_key', 'the key must not be empty');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) throw badRequest('invalid_key', `the key is ${bytes} bytes long; the limit is ${MAX_KEY_BYTES} bytes of UTF-8`);
  if (CONTROL_CHARS.test(key)) throw badRequest('invalid_key', 'the key must not contain control characters (such as newline, tab or NUL)');
  if (key.includes('\ufffd')) throw badRequest('invalid_key', 'the key is not valid UTF-8');
  return key;
}

/** Values are UTF-8 text; a raw body is decoded strictly so that invalid bytes are refused, not mangled. */
export function validateValue(value: unknown, maxBytes: number): string {
  let text: string;
  if (Buffer.isBuffer(value)) {
    if (value.length > maxBytes) throw tooLarge(value.length, maxBytes);
    try {
      text = utf8.decode(value);
    } catch {
      throw badRequest('invalid_value', 'the value is not valid UTF-8 text');
    }
    return text;
  }
  if (typeof value !== 'string') throw badRequest('invalid_value', 'the value must be a string');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
  return value;
}

function tooLarge(bytes: number, maxBytes: number): HttpError {
  return new HttpError(413, 'value_too_large', `the value is ${bytes} bytes; the limit is ${maxBytes} bytes`);
}

/** ttl from a query string or a JSON/form field; undefined/empty means "no expiry". */
export function validateTtl(ttl: unknown): number | undefined {
  if (ttl === undefined || ttl === null || ttl === '') return undefined;
  const n = typeof ttl === 'number' ? ttl : typeof ttl === 'string' && /^\d+$/.test(ttl.trim()) ? Number(ttl.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TTL_SECONDS) {
    throw badRequest('invalid_ttl', `ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}; got ${JSON.stringify(ttl)}`);
  }
  return n;
}

export interface ListQuery {
  prefix: string;
  cursor: ListCursor;
  limit: number;
}

/** Where a listing resumes: a Redis SCAN cursor plus how many keys of that SCAN batch were already returned. */
export interface ListCursor {
  scan: string;
  skip: number;
}

export const encodeCursor = (c: ListCursor): string => `${c.scan}-${c.skip}`;

export function decodeCursor(raw: unknown): ListCursor {
  if (raw === undefined || raw === '') return { scan: '0', skip: 0 };
  const m = typeof raw === 'string' ? /^(\d{1,20})-(\d{1,4})$/.exec(raw) : null;
  if (!m) throw badRequest('invalid_cursor', 'cursor must be a value returned by a previous listing');
  return { scan: m[1]!, skip: Number(m[2]) };
}

export function validateListQuery(q: Record<string, unknown>): ListQuery {
  const prefix = q.prefix === undefined ? '' : q.prefix;
  if (typeof prefix !== 'string') throw badRequest('invalid_prefix', 'prefix must be given once, as text');
  if (prefix !== '') validateKey(prefix);
  let limit = DEFAULT_LIST_LIMIT;
  if (q.limit !== undefined && q.limit !== '') {
    limit = typeof q.limit === 'string' && /^\d+$/.test(q.limit) ? Number(q.limit) : NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw badRequest('invalid_limit', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
    }
  }
  return { prefix, cursor: decodeCursor(q.cursor), limit };
}

/** SCAN MATCH uses glob syntax: escape it so that a prefix like "a*" matches literally. */
export const scanPatternForPrefix = (prefix: string): string => `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
