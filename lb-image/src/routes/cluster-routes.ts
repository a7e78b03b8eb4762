// Routes about the system itself: health, readiness, membership, leader, elections.
import express, { Router } from 'express';
import { badRequest, HttpError, hasBearer, methodNotAllowed } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import { healthSummary, serverList } from '../fleet-state.js';

export interface ClusterRoutesOptions {
  clusterSecret: string;
  adminToken: string;
  registrationTtlMs: number;
}

export function clusterRouter(view: ClusterView, coordinator: Coordinator, opts: ClusterRoutesOptions): Router {
  const router = Router();

  const summary = () => healthSummary(view, coordinator);

  router.route('/health').get((_req, res) => void res.json(summary())).all(methodNotAllowed(['GET']));

  router
    .route('/ready')
    .get((_req, res) => {
      const s = summary();
      res.status(coordinator.available ? 200 : 503).json({ ready: coordinator.available, ...s });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/servers')
    .get((_req, res) => void res.json(serverList(view, coordinator)))
    .post(express.json({ limit: '4kb' }), (req, res) => {
      if (!hasBearer(req.headers.authorization, opts.clusterSecret)) {
        throw new HttpError(401, 'unauthorized', 'signing up needs "Authorization: Bearer <CLUSTER_SECRET>"');
      }
      const b = (req.body ?? {}) as { address?: unknown; port?: unknown; name?: unknown };
      if (typeof b.address !== 'string' || !/^[A-Za-z0-9.-]{1,253}$/.test(b.address)) throw badRequest('invalid_address', 'address must be a host name or IPv4 address');
      if (!Number.isInteger(b.port) || (b.port as number) < 1 || (b.port as number) > 65535) throw badRequest('invalid_port', 'port must be a whole number from 1 to 65535');
      if (b.name !== undefined && (typeof b.name !== 'string' || b.name.length > 100)) throw badRequest('invalid_name', 'name must be text of at most 100 characters');
      const isNew = view.register({ address: b.address, port: b.port as number, name: (b.name as string | undefined) ?? null }, opts.registrationTtlMs);
      res.status(201).json({ id: `${b.address}:${b.port}`, new: isNew, renewWithinSeconds: Math.floor(opts.registrationTtlMs / 1000) });
    })
    .all(methodNotAllowed(['GET', 'POST']));

  router
    .route('/leader')
    .get((_req, res) => {
      const leader = coordinator.leader;
      if (!leader) throw new HttpError(503, 'no_leader', 'no leader has been elected yet', { 'Retry-After': '1' });
      res.json({ id: leader.leaderId, address: leader.address, epoch: leader.epoch, available: coordinator.available });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/election')
    .post(async (req, res) => {
      if (!opts.adminToken || !hasBearer(req.headers.authorization, opts.adminToken)) {
        throw new HttpError(401, 'unauthorized', 'an election needs "Authorization: Bearer <ADMIN_TOKEN>"');
      }
      const leader = await coordinator.forceElection();
      if (!leader) throw new HttpError(503, 'no_leader', 'no healthy cluster could be elected', { 'Retry-After': '1' });
      res.json({ id: leader.leaderId, address: leader.address, epoch: leader.epoch });
    })
    .all(methodNotAllowed(['POST']));

  return router;
}
