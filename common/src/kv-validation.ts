// The key-value rules of the public contract, shared by the LB (which rejects bad input before
// it costs a hop) and the slave (which must not trust its caller either).
import { badRequest, HttpError } from './http-errors.js';

export const MAX_KEY_BYTES = 512;
export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 100;
/** Operations in one POST /batch. */
export const MAX_BATCH_OPS = 1000;
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

/** Versions count writes of one key: far below 2^53. */
export const MAX_VERSION = Number.MAX_SAFE_INTEGER;

/** if_version (compare-and-set): a key's version, 0 = "only if the key does not exist"; undefined = no condition. */
export function validateIfVersion(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_VERSION) {
    throw badRequest('invalid_version', `if_version must be a version number (0 = only if the key does not exist); got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** An increment's text: a sign and at most 19 digits (then checked against the 64-bit range). */
export const INCR_BY_PATTERN = /^[+-]?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An increment: a signed 64-bit integer (Redis INCRBY's range), as canonical decimal text; default 1. */
export function validateIncrBy(raw: unknown): string {
  if (raw === undefined || raw === null || raw === '') return '1';
  const text = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const n = INCR_BY_PATTERN.test(text) ? BigInt(text) : null;
  if (n === null || n < INT64_MIN || n > INT64_MAX) {
    throw badRequest('invalid_increment', `by must be a whole number from ${INT64_MIN} to ${INT64_MAX}; got ${JSON.stringify(raw)}`);
  }
  return n.toString();
}

/** The Idempotency-Key header: one write, however often it is sent (undefined when absent). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** An Idempotency-Key is 1 to this many visible ASCII characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
export const IDEMPOTENCY_KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);

export function validateIdempotencyKey(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(raw)) {
    throw badRequest('invalid_idempotency_key', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (a UUID is a good choice), sent once`);
  }
  return raw;
}

/** wait_version and timeout of a blocking read (GET /keys/{key}?wait_version=N&timeout=S). */
export const MAX_WAIT_SECONDS = 60;
export const DEFAULT_WAIT_SECONDS = 30;

export function validateWait(waitVersion: unknown, timeout: unknown): { version: number; timeoutMs: number } | undefined {
  if (waitVersion === undefined || waitVersion === '') {
    if (timeout !== undefined && timeout !== '') throw badRequest('invalid_timeout', 'timeout goes with wait_version (a blocking read)');
    return undefined;
  }
  const version = typeof waitVersion === 'string' && /^\d{1,16}$/.test(waitVersion) ? Number(waitVersion) : NaN;
  if (!Number.isSafeInteger(version)) throw badRequest('invalid_version', `wait_version must be a version number; got ${JSON.stringify(waitVersion)}`);
  let seconds = DEFAULT_WAIT_SECONDS;
  if (timeout !== undefined && timeout !== '') {
    seconds = typeof timeout === 'string' && /^\d+(\.\d+)?$/.test(timeout) ? Number(timeout) : NaN;
    if (!(seconds > 0 && seconds <= MAX_WAIT_SECONDS)) throw badRequest('invalid_timeout', `timeout must be a number of seconds above 0 and at most ${MAX_WAIT_SECONDS}; got ${JSON.stringify(timeout)}`);
  }
  return { version, timeoutMs: Math.round(seconds * 1000) };
}

/** A yes/no query parameter: true, 1, false, 0 or absent (false). */
export function validateFlag(raw: unknown, name: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw badRequest('invalid_parameter', `${name} must be true or false; got ${JSON.stringify(raw)}`);
}
