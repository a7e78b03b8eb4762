// The public key-value API (CONTRACT.md), with the seed's aliases. Input is validated here, then
// the request goes to a slave in the slave's canonical form.
import express, { Router, type Request, type Response } from 'express';
import {
  badRequest, IDEMPOTENCY_HEADER, methodNotAllowed, requestIdOf, validateIdempotencyKey, validateIfVersion, validateIncrBy, validateKey,
  validateFlag, validateListQuery, validateTtl, validateValue, validateWait,
} from '@hscale/common';
import type { OpResult } from '../routing/batcher.js';
import type { ClientOp, Forwarder } from '../routing/forwarder.js';
import type { WatchSource } from '../watch/change-stream.js';
import { parseKeyRequest, type KeyRequest } from './key-request.js';
import { waitForVersion } from './watch-route.js';
import type { StreamSlots } from './stream-slots.js';

function relay(res: Response, answer: OpResult): void {
  if (answer.status === 503) res.setHeader('Retry-After', '1');
  res.status(answer.status).type('application/json').send(answer.body);
}

export function kvRouter(forwarder: Forwarder, watchSource: WatchSource, waitSlots: StreamSlots, maxValueBytes: number): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: maxValueBytes + 1 });
  const formOrJson = [express.json({ limit: maxValueBytes * 2 + 4096 }), express.urlencoded({ extended: false, limit: maxValueBytes * 3 + 4096 })];

  const write = async (req: Request, res: Response, op: ClientOp) => {
    relay(res, await forwarder.forward(op, requestIdOf(req.headers), validateIdempotencyKey(req.headers[IDEMPOTENCY_HEADER])));
  };
  const set = (req: Request, res: Response, key: string, value: string, ttl: number | undefined) => write(req, res, { op: 'set', key, value, ...(ttl ? { ttl } : {}) });
  /** GET (and HEAD), PUT and DELETE of one key, parsed as the fast path parses them (key-request.ts). */
  const keyRoute = (method: KeyRequest['method']) => async (req: Request, res: Response) => {
    const { op, idempotencyKey } = await parseKeyRequest(
      {
        method,
        key: req.params.key,
        query: (name) => req.query[name],
        idempotencyKey: req.headers[IDEMPOTENCY_HEADER],
        body: async () => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)),
      },
      maxValueBytes,
    );
    relay(res, await forwarder.forward(op, requestIdOf(req.headers), idempotencyKey));
  };
  const read = keyRoute('GET');
  const get = async (req: Request, res: Response) => {
    const key = validateKey(req.params.key);
    const wait = validateWait(req.query.wait_version, req.query.timeout);
    if (!wait) return read(req, res);
    waitSlots.take(res);
    relay(res, await waitForVersion(watchSource, forwarder, req, res, key, wait.version, wait.timeoutMs));
  };
  const list = async (req: Request, res: Response) => {
    const q = validateListQuery(req.query as Record<string, unknown>);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor ? req.query.cursor : undefined;
    const versions = validateFlag(req.query.versions, 'versions');
    relay(res, await forwarder.forward({ op: 'list', prefix: q.prefix, limit: q.limit, ...(cursor ? { cursor } : {}), ...(versions ? { versions } : {}) }, requestIdOf(req.headers)));
  };

  router
    .route('/keys/:key')
    .get(get)
    .put(rawBody, keyRoute('PUT'))
    .delete(keyRoute('DELETE'))
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));
  router
    .route('/keys/:key/incr')
    .post(async (req, res) => {
      const key = validateKey(req.params.key);
      const ifVersion = validateIfVersion(req.query.if_version);
      await write(req, res, { op: 'incr', key, by: validateIncrBy(req.query.by), ...(ifVersion === undefined ? {} : { ifVersion }) });
    })
    .all(methodNotAllowed(['POST']));
  // PUT/DELETE /keys/ (no key) lands here: say what is wrong rather than "method not allowed".
  const emptyKey = () => validateKey('');
  router.route('/keys').get(list).put(emptyKey).delete(emptyKey).all(methodNotAllowed(['GET']));

  // Aliases of the seed system.
  router
    .route('/set')
    .post(...formOrJson, async (req, res) => {
      const body = req.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw badRequest('malformed_body', 'send JSON {"key", "value", "ttl"?} or a form with those fields');
      }
      const key = validateKey(body.key);
      const value = validateValue(body.value, maxValueBytes);
      await set(req, res, key, value, validateTtl(body.ttl));
    })
    .all(methodNotAllowed(['POST']));
  router.route('/get/:key').get(get).all(methodNotAllowed(['GET']));
  router.route('/list-keys').get(list).all(methodNotAllowed(['GET']));
  router.route('/delete/:key').delete(keyRoute('DELETE')).all(methodNotAllowed(['DELETE']));
  return router;
}
