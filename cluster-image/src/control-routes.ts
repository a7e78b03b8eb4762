// Routes the LB uses to watch and steer this slave: health, leader assignment, writer fences.
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { EPOCH_HEADER, FenceRaiseSchema, HttpError, hasBearer, LeaderAssignmentSchema, methodNotAllowed, PromiseRequestSchema, type SlaveHealth } from '@hscale/common';
import type { Leadership } from './leadership.js';

/** A control body parsed by its schema (common's protocol-schemas.ts), or 400 with `code`. */
function parseBody<S extends z.ZodType>(schema: S, body: unknown, code: string, expected: string): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, code, `expected ${expected}: ${r.error.issues[0]?.path.join('.') || 'body'}: ${r.error.issues[0]?.message}`);
  return r.data;
}

const parseAssignment = (body: unknown) => parseBody(LeaderAssignmentSchema, body, 'invalid_assignment', '{epoch, leaderId, leaderName, leader: {host, port}, youAreLeader, reason, voters}');
const parsePromise = (body: unknown) => parseBody(PromiseRequestSchema, body, 'invalid_promise', '{epoch} (a positive integer)');
const parseFence = (body: unknown) => parseBody(FenceRaiseSchema, body, 'invalid_fence', '{writer, generation}');

export function controlRouter(leadership: Leadership, healthOf: () => Promise<SlaveHealth>, name: string, clusterSecret: string): Router {
  const router = Router();
  const secretRequired: RequestHandler = (req, _res, next) => {
    if (!hasBearer(req.headers.authorization, clusterSecret)) throw new HttpError(401, 'unauthorized', 'the cluster secret is required');
    next();
  };

  router
    .route('/health')
    .get(async (_req, res) => {
      const health = await healthOf();
      res.status(health.redis.up ? 200 : 503).json(health);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/internal/leader')
    .put(secretRequired, express.json(), async (req, res) => {
      const result = await leadership.accept(parseAssignment(req.body), name);
      if (!result.ok) throw new HttpError(result.status, result.code, result.message);
      // Whether this slave reaches the new leader's Redis now: the LB routes to it right away if so.
      res.json({ epoch: leadership.epoch, leaderReachable: leadership.leaderReachable });
    })
    .all(methodNotAllowed(['PUT']));

  // An election's first phase: the answer carries this cluster's data (how much of which leader's
  // history its Redis holds), taken after it stopped acknowledging the old leader.
  router
    .route('/internal/promise')
    .post(secretRequired, express.json(), async (req, res) => {
      const result = await leadership.promise(parsePromise(req.body).epoch, name);
      if (!result.ok) {
        res.status(result.status).json({ error: result.code, message: result.message, promised: result.promised });
        return;
      }
      res.json(result.answer);
    })
    .all(methodNotAllowed(['POST']));

  // The LB gave up waiting for a write it sent to `writer`: from now on the leader's Redis refuses
  // that writer's older generations, so the write can no longer take effect after the LB answers.
  router
    .route('/internal/fence')
    .put(secretRequired, express.json(), async (req, res) => {
      const f = parseFence(req.body);
      const epoch = Number(req.headers[EPOCH_HEADER]);
      if (epoch !== leadership.epoch) throw new HttpError(409, 'stale_epoch', `fence for epoch ${epoch} but this slave is on epoch ${leadership.epoch}`);
      const store = leadership.leaderStore;
      if (!store) throw new HttpError(503, 'no_leader', 'this slave has not been told a leader yet');
      try {
        res.json({ writer: f.writer, generation: await store.raiseFence(epoch, f.writer, f.generation) });
      } catch (err) {
        throw new HttpError(503, 'leader_unavailable', `the leader's redis did not raise the fence: ${(err as Error).message}`);
      }
    })
    .all(methodNotAllowed(['PUT']));

  return router;
}
