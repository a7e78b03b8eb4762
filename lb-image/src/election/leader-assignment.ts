// One leader assignment (PUT /internal/leader) to one slave: the body, checked against what this
// LB knows of the leader's address, sent, and the answer read. What it means for the leader's
// health is the coordinator's to judge (coordinator.ts).
import { isIP } from 'node:net';
import type { LeaderAssignment, Logger } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import { parseJson } from '../health/slave-health.js';
import type { Member } from '../membership/membership.js';
import type { FleetLeader } from './decide.js';

export type AssignResult =
  /** Accepted; whether the slave already reaches the leader's Redis. */
  | { kind: 'accepted'; reachable: boolean }
  /** The slave answered no (the answer is logged). */
  | { kind: 'refused' }
  /** No answer (the member's failure is recorded). */
  | { kind: 'failed' }
  /** Not sent: the leader's address does not hold the leader (another cluster answers there, or none, or its Redis is elsewhere). */
  | { kind: 'not-sent'; otherClusterAtLeader: boolean };

export interface AssignOptions {
  reason: LeaderAssignment['reason'];
  voters: number;
  timeoutMs: number;
  /** An election's candidate: the run_id of the Redis it promised with. */
  expectRunId?: string | undefined;
}

/** Tells `m` the leader of an epoch: its address and its name (a slave checks the name). */
export async function sendAssignment(view: ClusterView, m: Member, { leaderId, epoch, leaderName }: FleetLeader, o: AssignOptions, log: Logger): Promise<AssignResult> {
  const leaderMember = view.table.get(leaderId);
  const leader = leaderMember?.health?.redis.endpoint;
  if (!leader) return { kind: 'not-sent', otherClusterAtLeader: false };
  // The Redis at the leader's address must be the named leader's: a follower pointed at another
  // cluster's Redis (the address changed hands) would replace its data with that one's.
  if (leaderMember.health!.name !== leaderName) {
    log.warn('not assigning: another cluster answers at the leader\'s address', { leaderId, epoch, leaderName, answering: leaderMember.health!.name });
    return { kind: 'not-sent', otherClusterAtLeader: true };
  }
  // Every Redis is about to replicate this address, and send it the Redis password: it must be
  // the leader's own (when its address is an IP to compare with), not whatever its /health says.
  if (isIP(leaderMember.address) && leader.host !== leaderMember.address) {
    log.warn('not assigning a leader whose Redis address is not its own', { leaderId, address: leaderMember.address, claimed: leader.host });
    return { kind: 'not-sent', otherClusterAtLeader: false };
  }
  const body: LeaderAssignment = {
    epoch, leaderId, leaderName, leader, youAreLeader: m.id === leaderId, reason: o.reason, voters: o.voters, ...(o.expectRunId ? { expectRunId: o.expectRunId } : {}),
  };
  try {
    const res = await view.assign(m, body, o.timeoutMs);
    if (res.status === 200) {
      // The answer says whether the slave already reaches the new leader's Redis; without it,
      // requests would wait for this member's next probe (a second, for a follower).
      return { kind: 'accepted', reachable: (parseJson(res.body) as { leaderReachable?: unknown } | null)?.leaderReachable === true };
    }
    log.warn('a cluster refused the leader assignment', { id: m.id, epoch, reason: o.reason, status: res.status, answer: res.body.toString('utf8').slice(0, 300) });
    return { kind: 'refused' };
  } catch (err) {
    log.warn('leader assignment failed', { id: m.id, epoch, error: (err as Error).message });
    view.recordFailure(m);
    return { kind: 'failed' };
  }
}
