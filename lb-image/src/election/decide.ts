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
  /** Replication ids of the member's Redis (master_replid, master_replid2). */
  replIds: string[];
  /** A full sync is in progress: the member's data is being replaced. */
  syncing: boolean;
}

export interface CurrentLeader {
  leaderId: string;
  epoch: number;
}

export interface ElectionInput {
  members: CandidateView[];
  current: CurrentLeader | null;
  /** Whether the current leader has failed (leader-watch.ts). */
  leaderFailed: boolean;
  /** The highest epoch this LB has offered to a cluster: spent even if the offer seemed to fail. */
  spentEpoch: number;
  /** Replication ids of the current leader's Redis: offsets are comparable only within this history. */
  history: string[];
  /** An administrator asked for an election (POST /election). */
  force?: boolean;
}

export type Decision =
  | { kind: 'keep' }
  | { kind: 'wait'; reason: string }
  /** The clusters agree on a leader: keep it, under a new epoch that fences the previous LB's requests. */
  | { kind: 'adopt'; leaderId: string; epoch: number }
  | { kind: 'elect'; leaderId: string; epoch: number; reason: string }
  | { kind: 'none'; reason: string };

const sharesHistory = (m: CandidateView, history: string[]) => m.replIds.some((id) => history.includes(id));

/**
 * Ordering of candidates: a Redis that shares the leader's replication history first (its offset
 * means something), then the most data, then the id so that every run picks the same one. A
 * Redis in the middle of a full sync is never a candidate.
 */
export function rankCandidates(members: CandidateView[], history: string[] = []): CandidateView[] {
  return members
    .filter((m) => m.healthy && m.redisRole !== 'down' && !m.syncing)
    .sort(
      (a, b) =>
        Number(sharesHistory(b, history)) - Number(sharesHistory(a, history)) ||
        b.offset - a.offset ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

export function decide(input: ElectionInput): Decision {
  const { members, current, force, history } = input;
  // Epochs are never reused: above every epoch known, and above every epoch ever offered.
  const maxEpoch = Math.max(current?.epoch ?? 0, input.spentEpoch, ...members.map((m) => m.epoch));
  let reason: string;

  if (current && !force) {
    const leader = members.find((m) => m.id === current.leaderId);
    if (leader && !input.leaderFailed) return { kind: 'keep' };
    reason = leader ? `leader ${current.leaderId} failed` : `leader ${current.leaderId} left the membership`;
  } else if (!current && !force) {
    // Fresh LB (first start or restart): learn before acting, so an LB restart never elects blindly.
    if (members.length === 0) return { kind: 'wait', reason: 'no clusters known yet' };
    if (members.some((m) => !m.probed)) return { kind: 'wait', reason: 'not every cluster has been probed yet' };
    const newest = Math.max(0, ...members.map((m) => m.epoch));
    const claimant = members.find((m) => m.epoch === newest && newest > 0 && m.claimsLeadership && m.healthy && m.redisRole === 'master');
    if (claimant) return { kind: 'adopt', leaderId: claimant.id, epoch: maxEpoch + 1 };
    reason = newest > 0 ? `the leader of epoch ${newest} is not available` : 'no leader yet';
  } else {
    reason = 'requested by an administrator';
  }

  // A leader that failed is not a candidate, unless an administrator asked (then the data decides).
  const pool = force ? members : members.filter((m) => m.id !== current?.leaderId);
  const best = rankCandidates(pool, history)[0];
  if (best) return { kind: 'elect', leaderId: best.id, epoch: maxEpoch + 1, reason };
  // The failed leader is the only cluster there is: if it answers again (its Redis restarted,
  // empty), it leads a new epoch rather than leaving the system without a leader. Not while any
  // other cluster is known: one that comes back may still hold the data.
  const lone = current && !force && members.length === 1 ? rankCandidates(members, history)[0] : undefined;
  if (lone) return { kind: 'elect', leaderId: lone.id, epoch: maxEpoch + 1, reason: `${reason}; it is the only cluster left` };
  return { kind: 'none', reason: `${reason}; no healthy cluster can take over` };
}
