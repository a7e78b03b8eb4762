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
  /** This LB's name (LB_NAME). */
  lbName: string;
}

/**
 * Every LB the clusters heard from in the last minute (each slave reports the LBs that sent it
 * requests), with this one first: from any LB, the same list.
 */
function lbList(view: ClusterView, self: string) {
  const lbs = new Map<string, { name: string; heardMsAgo: number; clusters: number }>();
  for (const m of view.table.list()) {
    for (const l of m.health?.lbs ?? []) {
      const seen = lbs.get(l.name);
      if (!seen) lbs.set(l.name, { name: l.name, heardMsAgo: l.heardMsAgo, clusters: 1 });
      else Object.assign(seen, { heardMsAgo: Math.min(seen.heardMsAgo, l.heardMsAgo), clusters: seen.clusters + 1 });
    }
  }
  const others = [...lbs.values()].filter((l) => l.name !== self).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { self, lbs: [{ name: self, heardMsAgo: 0, clusters: lbs.get(self)?.clusters ?? 0 }, ...others] };
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

  router.route('/lbs').get((_req, res) => void res.json(lbList(view, opts.lbName))).all(methodNotAllowed(['GET']));

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
