// Routes the LB uses to watch and steer this slave: health, leader assignment, writer fences.
import express, { Router, type RequestHandler } from 'express';
import { EPOCH_HEADER, HttpError, hasBearer, methodNotAllowed, type FenceRaise, type LeaderAssignment, type PromiseRequest, type SlaveHealth } from '@hscale/common';
import type { Leadership } from './leadership.js';

function parseAssignment(body: unknown): LeaderAssignment {
  const a = body as Partial<LeaderAssignment>;
  const ok =
    a && Number.isSafeInteger(a.epoch) && (a.epoch as number) > 0 && typeof a.leaderId === 'string' && typeof a.youAreLeader === 'boolean' &&
    (a.reason === 'election' || a.reason === 'sync') && typeof a.leader?.host === 'string' && a.leader.host.length > 0 && Number.isInteger(a.leader?.port) && (a.leader!.port as number) >= 1 && (a.leader!.port as number) <= 65535 &&
    Number.isSafeInteger(a.voters) && (a.voters as number) >= 1 &&
    (a.expectRunId === undefined || (typeof a.expectRunId === 'string' && a.expectRunId.length <= 64));
  if (!ok) throw new HttpError(400, 'invalid_assignment', 'expected {epoch, leaderId, leader: {host, port}, youAreLeader, reason, voters}');
  return a as LeaderAssignment;
}

function parsePromise(body: unknown): PromiseRequest {
  const p = body as Partial<PromiseRequest>;
  if (!p || !Number.isSafeInteger(p.epoch) || (p.epoch as number) < 1) throw new HttpError(400, 'invalid_promise', 'expected {epoch} (a positive integer)');
  return p as PromiseRequest;
}

function parseFence(body: unknown): FenceRaise {
  const f = body as Partial<FenceRaise>;
  if (!f || typeof f.writer !== 'string' || !f.writer || !Number.isSafeInteger(f.generation) || (f.generation as number) < 1) {
    throw new HttpError(400, 'invalid_fence', 'expected {writer, generation}');
  }
  return f as FenceRaise;
}

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
      const result = await leadership.accept(parseAssignment(req.body));
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
