// Routes the LB uses to watch and steer this slave: health, leader assignment, writer fences.
import express, { Router, type RequestHandler } from 'express';
import { EPOCH_HEADER, HttpError, hasBearer, methodNotAllowed, type FenceRaise, type LeaderAssignment } from '@hscale/common';
import type { Leadership } from './leadership.js';

function parseAssignment(body: unknown): LeaderAssignment {
  const a = body as Partial<LeaderAssignment>;
  const ok =
    a && Number.isSafeInteger(a.epoch) && (a.epoch as number) > 0 && typeof a.leaderId === 'string' && typeof a.youAreLeader === 'boolean' &&
    (a.reason === 'election' || a.reason === 'sync') && typeof a.leader?.host === 'string' && a.leader.host.length > 0 && Number.isInteger(a.leader?.port) && (a.leader!.port as number) >= 1 && (a.leader!.port as number) <= 65535;
  if (!ok) throw new HttpError(400, 'invalid_assignment', 'expected {epoch, leaderId, leader: {host, port}, youAreLeader, reason}');
  return a as LeaderAssignment;
}

function parseFence(body: unknown): FenceRaise {
  const f = body as Partial<FenceRaise>;
  if (!f || typeof f.writer !== 'string' || !f.writer || !Number.isSafeInteger(f.generation) || (f.generation as number) < 1) {
    throw new HttpError(400, 'invalid_fence', 'expected {writer, generation}');
  }
  return f as FenceRaise;
}

export function controlRouter(leadership: Leadership, name: string, clusterSecret: string): Router {
  const router = Router();
  const secretRequired: RequestHandler = (req, _res, next) => {
    if (!hasBearer(req.headers.authorization, clusterSecret)) throw new HttpError(401, 'unauthorized', 'the cluster secret is required');
    next();
  };

  router
    .route('/health')
    .get(async (_req, res) => {
      const health = await leadership.health(name);
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
