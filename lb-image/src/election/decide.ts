// The election rules, as a pure function: what the LB knows → keep the leader, adopt the one the
// clusters already agree on, or elect a new one with a higher epoch. The I/O that gathers the
// inputs and applies the decision is in coordinator.ts.
import type { RedisRole } from '@hscale/common';

export interface CandidateView {
  id: string;
  /** A probe finished since the member appeared (with either outcome). */
  probed: boolean;
  healthy: boolean;
  /** What the member's slave last reported. */
  epoch: number;
  claimsLeadership: boolean;
  redisRole: RedisRole;
  /** Replication offset of the member's Redis: how much of the write stream it holds. */
  offset: number;
}

export interface CurrentLeader {
  leaderId: string;
  epoch: number;
}

export interface ElectionInput {
  members: CandidateView[];
  current: CurrentLeader | null;
  /** Consecutive failures of the current leader (probes and real requests). */
  leaderFailures: number;
  threshold: number;
  /** An administrator asked for an election (POST /election). */
  force?: boolean;
}

export type Decision =
  | { kind: 'keep' }
  | { kind: 'wait'; reason: string }
  | { kind: 'adopt'; leaderId: string; epoch: number }
  | { kind: 'elect'; leaderId: string; epoch: number; reason: string }
  | { kind: 'none'; reason: string };

/** Ordering of candidates: most recent data first; ties broken by id so every run picks the same one. */
export function rankCandidates(members: CandidateView[]): CandidateView[] {
  return members
    .filter((m) => m.healthy && m.redisRole !== 'down')
    .sort((a, b) => b.offset - a.offset || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function decide(input: ElectionInput): Decision {
  const { members, current, force } = input;
  const maxEpoch = Math.max(current?.epoch ?? 0, ...members.map((m) => m.epoch));
  let reason: string;

  if (current && !force) {
    const leader = members.find((m) => m.id === current.leaderId);
    if (leader && input.leaderFailures < input.threshold) return { kind: 'keep' };
    reason = leader ? `leader ${current.leaderId} failed ${input.leaderFailures} times in a row` : `leader ${current.leaderId} left the membership`;
  } else if (!current && !force) {
    // Fresh LB (first start or restart): learn before acting, so an LB restart never elects blindly.
    if (members.length === 0) return { kind: 'wait', reason: 'no clusters known yet' };
    if (members.some((m) => !m.probed)) return { kind: 'wait', reason: 'not every cluster has been probed yet' };
    const claimant = members.find((m) => m.epoch === maxEpoch && maxEpoch > 0 && m.claimsLeadership && m.healthy && m.redisRole === 'master');
    if (claimant) return { kind: 'adopt', leaderId: claimant.id, epoch: maxEpoch };
    reason = maxEpoch > 0 ? `the leader of epoch ${maxEpoch} is not available` : 'no leader yet';
  } else {
    reason = 'requested by an administrator';
  }

  // A leader that failed is not a candidate, unless an administrator asked (then the data decides).
  const pool = force ? members : members.filter((m) => m.id !== current?.leaderId);
  const best = rankCandidates(pool)[0];
  if (!best) return { kind: 'none', reason: `${reason}; no healthy cluster can take over` };
  return { kind: 'elect', leaderId: best.id, epoch: maxEpoch + 1, reason };
}
