// Routes the LB uses to watch and steer this slave: health and leader assignment.
import express, { Router } from 'express';
import { HttpError, hasBearer, methodNotAllowed, type LeaderAssignment } from '@hscale/common';
import type { Leadership } from './leadership.js';

function parseAssignment(body: unknown): LeaderAssignment {
  const a = body as Partial<LeaderAssignment>;
  const ok =
    a && Number.isInteger(a.epoch) && (a.epoch as number) > 0 && typeof a.leaderId === 'string' && typeof a.youAreLeader === 'boolean' &&
    (a.reason === 'election' || a.reason === 'sync') && typeof a.leader?.host === 'string' && Number.isInteger(a.leader?.port);
  if (!ok) throw new HttpError(400, 'invalid_assignment', 'expected {epoch, leaderId, leader: {host, port}, youAreLeader, reason}');
  return a as LeaderAssignment;
}

export function controlRouter(leadership: Leadership, name: string, clusterSecret: string): Router {
  const router = Router();

  router
    .route('/health')
    .get(async (_req, res) => {
      const health = await leadership.health(name);
      res.status(health.redis.up ? 200 : 503).json(health);
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/internal/leader')
    .put(express.json(), async (req, res) => {
      if (!hasBearer(req.headers.authorization, clusterSecret)) throw new HttpError(401, 'unauthorized', 'the cluster secret is required');
      const result = await leadership.accept(parseAssignment(req.body));
      if (!result.ok) throw new HttpError(result.status, result.code, result.message);
      res.json({ epoch: leadership.epoch });
    })
    .all(methodNotAllowed(['PUT']));

  return router;
}
