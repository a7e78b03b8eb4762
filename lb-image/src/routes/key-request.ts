// GET, PUT and DELETE /keys/{key} → the operation the forwarder runs, or the 4xx the client gets.
// The one parser of both HTTP paths of these routes: the raw node:http one (fast-kv.ts) and
// Express (kv-routes.ts), so that they accept and refuse exactly the same requests
// (test/integration/api-bounds.test.ts checks every bound through both).
import { validateIdempotencyKey, validateIfVersion, validateKey, validateTtl, validateValue } from '@hscale/common';
import type { ClientOp } from '../routing/forwarder.js';

export interface KeyRequest {
  /** What the route serves (a HEAD is served as the GET it mirrors: never the request's own method taken as PUT). */
  method: 'GET' | 'PUT' | 'DELETE';
  /** The key, percent-decoded. */
  key: unknown;
  /** A query parameter: undefined, its value, or all its values when it is repeated. */
  query: (name: string) => unknown;
  idempotencyKey: unknown;
  /** The body (PUT only), read at most MAX_VALUE_BYTES + 1 bytes. */
  body: () => Promise<Buffer>;
}

export async function parseKeyRequest(r: KeyRequest, maxValueBytes: number): Promise<{ op: ClientOp; idempotencyKey?: string }> {
  const key = validateKey(r.key);
  if (r.method === 'GET') return { op: { op: 'get', key } };
  const ifVersion = validateIfVersion(r.query('if_version'));
  const condition = ifVersion === undefined ? {} : { ifVersion };
  let op: ClientOp;
  switch (r.method) {
    case 'DELETE':
      op = { op: 'del', key, ...condition };
      break;
    case 'PUT': {
      const ttl = validateTtl(r.query('ttl'));
      const value = validateValue(await r.body(), maxValueBytes);
      op = { op: 'set', key, value, ...(ttl ? { ttl } : {}), ...condition };
      break;
    }
    default:
      throw new Error(`parseKeyRequest: no operation for method ${String(r.method)}`);
  }
  const idempotencyKey = validateIdempotencyKey(r.idempotencyKey);
  return idempotencyKey === undefined ? { op } : { op, idempotencyKey };
}
