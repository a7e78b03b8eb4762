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
  /** Resume after this key ('' = from the start). */
  after: string;
  limit: number;
}

/**
 * A listing cursor is the last key of the previous page (listings are in byte order), in base64url
 * so that it travels in a URL as is. It stays valid across failovers: it names a key, not a place
 * in one server's hash table.
 */
export const encodeCursor = (lastKey: string): string => Buffer.from(lastKey, 'utf8').toString('base64url');

const invalidCursor = (why: string) => badRequest('invalid_cursor', `cursor must be a value returned by a previous listing (${why})`);

export function decodeCursor(raw: unknown, prefix: string): string {
  if (raw === undefined || raw === '') return '';
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{1,700}$/.test(raw)) throw invalidCursor('not base64url text');
  const bytes = Buffer.from(raw, 'base64url');
  if (bytes.toString('base64url') !== raw) throw invalidCursor('not base64url text');
  let key: string;
  try {
    key = utf8.decode(bytes);
    validateKey(key);
  } catch {
    throw invalidCursor('it does not name a valid key');
  }
  if (!key.startsWith(prefix)) throw invalidCursor('it belongs to a listing with another prefix');
  return key;
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
  return { prefix, after: decodeCursor(q.cursor, prefix), limit };
}
