// Routes about the system itself: health, readiness, membership, leader, elections.
import express, { Router } from 'express';
import { badRequest, HttpError, hasBearer, MAX_SERVER_NAME_LENGTH, methodNotAllowed, SignUp, type LbListBody, type LeaderBody, type SignedUpBody, type SignUpBody } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import { healthSummary, serverList } from '../fleet-state.js';

/** A sign-up body, checked by the SignUp schema (the document's), one error code per field. */
function parseSignUp(body: unknown): SignUpBody {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const field = <K extends keyof SignUpBody>(name: K, code: string, message: string) => {
    const r = SignUp.shape[name].safeParse(b[name]);
    if (!r.success) throw badRequest(code, message);
    return r.data as SignUpBody[K];
  };
  return {
    address: field('address', 'invalid_address', 'address must be a host name or IPv4 address'),
    port: field('port', 'invalid_port', 'port must be a whole number from 1 to 65535'),
    name: field('name', 'invalid_name', `name must be text of at most ${MAX_SERVER_NAME_LENGTH} characters`),
  };
}

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
function lbList(view: ClusterView, self: string): LbListBody {
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
      const b = parseSignUp(req.body);
      const isNew = view.register({ address: b.address, port: b.port, name: b.name ?? null }, opts.registrationTtlMs);
      const answer: SignedUpBody = { id: `${b.address}:${b.port}`, new: isNew, renewWithinSeconds: Math.floor(opts.registrationTtlMs / 1000) };
      res.status(201).json(answer);
    })
    .all(methodNotAllowed(['GET', 'POST']));

  router.route('/lbs').get((_req, res) => void res.json(lbList(view, opts.lbName))).all(methodNotAllowed(['GET']));

  router
    .route('/leader')
    .get((_req, res) => {
      const leader = coordinator.leader;
      if (!leader) throw new HttpError(503, 'no_leader', 'no leader has been elected yet', { 'Retry-After': '1' });
      const answer: LeaderBody = { id: leader.leaderId, address: leader.address, epoch: leader.epoch, available: coordinator.available };
      res.json(answer);
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
