// The public key-value API (CONTRACT.md), with the seed's aliases. Input is validated here, then
// the request goes to a slave in the slave's canonical form.
import express, { Router, type Request, type Response } from 'express';
import {
  badRequest, methodNotAllowed, requestIdOf, validateKey, validateListQuery, validateTtl, validateValue,
} from '@hscale/common';
import type { Forwarder } from '../routing/forwarder.js';
import type { SlaveResponse } from '../routing/slave-pools.js';

function relay(res: Response, answer: SlaveResponse): void {
  const retryAfter = answer.headers['retry-after'];
  if (typeof retryAfter === 'string') res.setHeader('Retry-After', retryAfter);
  res.status(answer.status).type('application/json').send(answer.body);
}

export function kvRouter(forwarder: Forwarder, maxValueBytes: number): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: maxValueBytes + 1 });
  const formOrJson = [express.json({ limit: maxValueBytes * 2 + 4096 }), express.urlencoded({ extended: false, limit: maxValueBytes * 3 + 4096 })];
  const keyPath = (key: string) => `/keys/${encodeURIComponent(key)}`;

  const set = async (req: Request, res: Response, key: string, value: string, ttl: number | undefined) => {
    const path = keyPath(key) + (ttl ? `?ttl=${ttl}` : '');
    const answer = await forwarder.forward({ method: 'PUT', path, body: Buffer.from(value, 'utf8') }, requestIdOf(req.headers));
    relay(res, answer);
  };
  const get = async (req: Request, res: Response) => {
    const key = validateKey(req.params.key);
    relay(res, await forwarder.forward({ method: 'GET', path: keyPath(key) }, requestIdOf(req.headers)));
  };
  const del = async (req: Request, res: Response) => {
    const key = validateKey(req.params.key);
    relay(res, await forwarder.forward({ method: 'DELETE', path: keyPath(key) }, requestIdOf(req.headers)));
  };
  const list = async (req: Request, res: Response) => {
    const q = validateListQuery(req.query as Record<string, unknown>);
    const params = new URLSearchParams({ limit: String(q.limit) });
    if (q.prefix) params.set('prefix', q.prefix);
    if (typeof req.query.cursor === 'string' && req.query.cursor) params.set('cursor', req.query.cursor);
    relay(res, await forwarder.forward({ method: 'GET', path: `/keys?${params}` }, requestIdOf(req.headers)));
  };

  router
    .route('/keys/:key')
    .get(get)
    .put(rawBody, async (req, res) => {
      const key = validateKey(req.params.key);
      const ttl = validateTtl(req.query.ttl);
      const value = validateValue(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), maxValueBytes);
      await set(req, res, key, value, ttl);
    })
    .delete(del)
    .all(methodNotAllowed(['GET', 'PUT', 'DELETE']));
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
  router.route('/delete/:key').delete(del).all(methodNotAllowed(['DELETE']));
  return router;
}
