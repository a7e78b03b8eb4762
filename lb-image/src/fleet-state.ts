// The fleet as GET /health, GET /servers and the dashboard's live stream show it.
import type { HealthBody, ServerBody } from '@hscale/common';
import type { ClusterView } from './cluster-view.js';
import type { Coordinator } from './election/coordinator.js';
import { MembershipTable } from './membership/membership.js';

export function healthSummary(view: ClusterView, coordinator: Coordinator): HealthBody {
  const members = view.table.list();
  const healthy = members.filter((m) => m.healthy).length;
  const leader = coordinator.leader;
  const status = leader && coordinator.available ? (healthy === members.length ? 'ok' : 'degraded') : healthy > 0 ? 'degraded' : 'down';
  return { status, leader: leader ? { id: leader.leaderId, address: leader.address, epoch: leader.epoch } : null, clusters: { total: members.length, healthy } };
}

export function serverList(view: ClusterView, coordinator: Coordinator): ServerBody[] {
  const members = view.table.list();
  const leader = coordinator.leader ? view.table.get(coordinator.leader.leaderId) : undefined;
  const leaderOffset = leader?.health?.redis.offset;
  return members.map((m) => {
    const r = m.health?.redis;
    const isLeader = coordinator.isLeader(m.id);
    return {
      id: m.id,
      address: m.address,
      port: m.port,
      name: m.name,
      // Docker's name for the container (reverse DNS; k8s: the pod address's name), if any.
      dnsName: m.dnsName ?? null,
      healthy: m.healthy,
      role: isLeader ? 'leader' : 'follower',
      failures: m.failures,
      source: MembershipTable.displaySource(m),
      epoch: m.health?.epoch ?? null,
      redis: r
        ? {
            role: r.role,
            offset: r.offset,
            // Bytes of the leader's replication stream this follower has not applied yet, as of the
            // last probes (each member is probed on its own schedule, so a small lag is normal).
            lag: isLeader || leaderOffset === undefined || r.role !== 'replica' ? null : Math.max(0, leaderOffset - r.offset),
            keys: r.keys ?? null,
            memory: r.memory ?? null,
          }
        : null,
    };
  });
}
