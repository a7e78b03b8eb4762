// How many clusters vote: the majority an election needs and a write waits for is counted from it.
// An LB that has watched the fleet for VOTER_LINGER_MS counts the clusters it knows, with those that
// left lingering; one that just started has not seen who left, so it never counts fewer than the
// clusters were told (votersOf: what their health reports). Counts the clusters were told can only
// be lowered by a leader's sync; without that, a scale-down that removed the leader with others
// would wait for a majority that no longer exists.
import type { Member } from '../membership/membership.js';
import { votersOf, type CandidateView } from './decide.js';

/**
 * A cluster that left the membership still votes for this long (a restart, a readiness blip): N
 * does not shrink on a blink. After a scale-down, requests that need the departed clusters'
 * confirmations get 503 for up to this long (README "Scaling").
 */
export const VOTER_LINGER_MS = 10_000;

export class VoterCount {
  private readonly startedAt = Date.now();
  /** When each cluster (by name) was last in the membership. */
  private readonly lastMember = new Map<string, number>();

  /** The voters to count now: `members` is the membership, `candidates` what the clusters report. */
  count(members: readonly Member[], candidates: CandidateView[]): number {
    const known = this.known(members);
    return Date.now() - this.startedAt >= VOTER_LINGER_MS ? known : Math.max(known, votersOf(candidates));
  }

  /** Clusters in the membership now, or within VOTER_LINGER_MS. */
  private known(members: readonly Member[]): number {
    const now = Date.now();
    // By name: a cluster restarted at a new address (its old address lingering) is one voter. One
    // not heard from yet counts by its address, now only (it may be a known cluster's new one).
    const unnamed = members.filter((m) => !m.health?.name);
    for (const m of members) if (m.health?.name) this.lastMember.set(m.health.name, now);
    for (const [name, at] of this.lastMember) if (now - at > VOTER_LINGER_MS) this.lastMember.delete(name);
    return Math.max(1, this.lastMember.size + unnamed.length);
  }
}
