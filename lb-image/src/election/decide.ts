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
  /** The leader of its epoch, as the member reports it. */
  leaderId: string | null;
  /** Its Redis replicates that leader's Redis, and the link is up (a follower's proof of allegiance). */
  followsLeader: boolean;
  redisRole: RedisRole;
  /** Replication offset of the member's Redis: how much of the write stream it holds. */
  offset: number;
  /** The replication id of the member's Redis (master_replid): which history its offset counts in. */
  replId: string;
  /** A full sync is in progress: the member's data is being replaced. */
  syncing: boolean;
}

/**
 * The leader's replication history, from its last good probe: its replication id and, if it was
 * promoted from a follower, the history it continued (the same data up to `upTo`).
 */
export interface History {
  replId: string;
  previous?: { replId: string; upTo: number };
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
  /** Which cluster this LB offered each recent epoch to (an offer may take effect after it timed out). */
  offers?: ReadonlyMap<number, string>;
  /** The current leader's replication history, when known. */
  history: History | null;
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

/** Whether a member's data is part of the leader's history, so that its offset says how much of it it holds. */
export function sharesHistory(m: CandidateView, h: History): boolean {
  return m.replId === h.replId || (!!h.previous && m.replId === h.previous.replId && m.offset <= h.previous.upTo);
}

/**
 * A fresh LB cannot know which epochs the previous one offered without an answer (a cluster frozen
 * with an offer in its socket may apply it later): it adopts the leader this far above the highest
 * epoch it sees. One election offers an epoch to each cluster at most once.
 */
export const adoptionGap = (members: number) => 2 * members + 16;

/**
 * Candidates, best first: the most data (highest offset), ties broken by id so that every run
 * picks the same one. Never a Redis in the middle of a full sync. When the leader's history is
 * known, only Redis servers that hold part of it: a cluster that restarted empty, or an old leader
 * that went on alone, could otherwise win and wipe everyone's data.
 */
export function rankCandidates(members: CandidateView[], history: History | null = null): CandidateView[] {
  return members
    .filter((m) => m.healthy && m.redisRole !== 'down' && !m.syncing && (!history || sharesHistory(m, history)))
    .sort((a, b) => b.offset - a.offset || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Whether the clusters agree that `leaderId` leads `epoch`: it claims so and its Redis is a
 * master, and with it more than half of the healthy members say so (followers whose Redis
 * replicates it). One member's word is never enough while others answer: a cluster that claims a
 * huge epoch on its own (a bug, or a compromised container) must not take over the system.
 */
export function agreed(members: CandidateView[], leaderId: string, epoch: number): boolean {
  const voters = members.filter((m) => m.healthy);
  const ayes = voters.filter((m) =>
    m.epoch !== epoch ? false : m.id === leaderId ? m.claimsLeadership && m.redisRole === 'master' : !m.claimsLeadership && m.leaderId === leaderId && m.followsLeader,
  );
  return ayes.some((m) => m.id === leaderId) && ayes.length * 2 > voters.length;
}

/**
 * More than half of the healthy members name another leader than the claimant, for its epoch or a
 * newer one, or replicate another leader now (names from older epochs say nothing about it).
 */
export function contradicted(members: CandidateView[], claimant: CandidateView): boolean {
  const voters = members.filter((m) => m.healthy);
  const nays = voters.filter(
    (m) => m.id !== claimant.id && m.leaderId !== null && m.leaderId !== claimant.id && (m.epoch >= claimant.epoch || m.followsLeader),
  );
  return nays.length * 2 > voters.length;
}

/** The best candidate; on equal data, `preferred` (a leader keeps leading rather than fail over for a tie). */
function bestOf(pool: CandidateView[], history: History | null, preferred?: string): CandidateView | undefined {
  const ranked = rankCandidates(pool, history);
  const first = ranked[0];
  const favourite = ranked.find((m) => m.id === preferred);
  return favourite && first && favourite.offset === first.offset ? favourite : first;
}

export function decide(input: ElectionInput): Decision {
  const { members, current, force } = input;
  // Epochs are never reused: above every epoch known, and above every epoch ever offered.
  const maxEpoch = Math.max(current?.epoch ?? 0, input.spentEpoch, ...members.map((m) => m.epoch));
  let reason: string;
  let leaderIsCandidate = !!force;
  // Members whose word is not taken: they may not lead this time (see below).
  const distrusted = new Set<string>();

  // Members ahead of every epoch this LB has used or offered: the clusters agree on a newer leader
  // (another LB's decision: learn it), or one member says so alone (ignore its word: a new epoch
  // above its claim, led by another). Epochs up to spentEpoch are this LB's own offers.
  const ahead = current && !force ? members.filter((m) => m.epoch > Math.max(current.epoch, input.spentEpoch)) : [];
  if (current && ahead.length > 0) {
    const claim = ahead.find((m) => m.claimsLeadership && agreed(members, m.id, m.epoch));
    if (claim) return { kind: 'adopt', leaderId: claim.id, epoch: maxEpoch + adoptionGap(members.length) };
    const pool = members.filter((m) => !ahead.includes(m) && !(input.leaderFailed && m.id === current.leaderId));
    const best = bestOf(pool, input.history, current.leaderId);
    const reason = `${ahead.map((m) => m.id).join(', ')} reported epoch ${Math.max(...ahead.map((m) => m.epoch))} without the other clusters' agreement`;
    if (best) return { kind: 'elect', leaderId: best.id, epoch: maxEpoch + 1, reason };
    return { kind: 'none', reason: `${reason}; no other cluster can lead` };
  }

  if (current && !force) {
    const leader = members.find((m) => m.id === current.leaderId);
    // Another cluster that claims to lead this epoch or a later one this LB offered: an offer
    // applied late (of this LB: a candidate it chose; of a previous LB: not to be trusted alone).
    const rival = members.find((m) => m.id !== current.leaderId && m.epoch >= current.epoch && m.claimsLeadership && m.redisRole === 'master');
    if (leader && !input.leaderFailed && !rival) return { kind: 'keep' };
    leaderIsCandidate = !!leader && !input.leaderFailed;
    if (rival && input.offers?.get(rival.epoch) !== rival.id && !agreed(members, rival.id, rival.epoch)) distrusted.add(rival.id);
    reason = rival
      ? `${rival.id} also claims to lead epoch ${rival.epoch}`
      : leader
        ? `leader ${current.leaderId} failed`
        : `leader ${current.leaderId} left the membership`;
  } else if (!current && !force) {
    // Fresh LB (first start or restart): learn before acting, so an LB restart never elects blindly.
    if (members.length === 0) return { kind: 'wait', reason: 'no clusters known yet' };
    if (members.some((m) => !m.probed)) return { kind: 'wait', reason: 'not every cluster has been probed yet' };
    const newest = Math.max(0, ...members.map((m) => m.epoch));
    const claimants = members.filter((m) => m.epoch === newest && newest > 0 && m.claimsLeadership && m.healthy && m.redisRole === 'master');
    const claimant = claimants.length === 1 ? claimants[0]! : undefined;
    if (claimant && agreed(members, claimant.id, newest)) {
      return { kind: 'adopt', leaderId: claimant.id, epoch: maxEpoch + adoptionGap(members.length) };
    }
    reason = claimant ? `${claimant.id} claims epoch ${newest} without the other clusters' agreement` : newest > 0 ? `the leader of epoch ${newest} is not available` : 'no leader yet';
    if (claimant) {
      // A claim above every other member's epoch, or one the others contradict, may hold anything:
      // it does not lead. One they neither confirm nor contradict (its followers mid-resync)
      // competes on its data, and keeps leading on a tie.
      const alone = members.every((m) => m === claimant || m.epoch < newest);
      if (alone || contradicted(members, claimant)) distrusted.add(claimant.id);
      else {
        const best = bestOf(members, input.history, claimant.id);
        if (best) return { kind: 'elect', leaderId: best.id, epoch: maxEpoch + adoptionGap(members.length), reason };
      }
    }
  } else {
    reason = 'requested by an administrator';
  }

  // A leader that failed is not a candidate, unless an administrator asked (then the data decides,
  // whatever history it belongs to).
  const pool = (leaderIsCandidate ? members : members.filter((m) => m.id !== current?.leaderId)).filter((m) => !distrusted.has(m.id));
  const best = bestOf(pool, force ? null : input.history, leaderIsCandidate ? current?.leaderId : undefined);
  // A fresh LB cannot know what the previous one offered: above that too (see adoptionGap).
  const step = !current && maxEpoch > 0 ? adoptionGap(members.length) : 1;
  if (best) return { kind: 'elect', leaderId: best.id, epoch: maxEpoch + step, reason };
  // The failed leader is the only cluster there is: if it answers again (its Redis restarted,
  // empty), it leads a new epoch rather than leaving the system without a leader. Not while any
  // other cluster is known: one that comes back may still hold the data.
  const lone = current && !force && members.length === 1 ? rankCandidates(members)[0] : undefined;
  if (lone) return { kind: 'elect', leaderId: lone.id, epoch: maxEpoch + 1, reason: `${reason}; it is the only cluster left` };
  return { kind: 'none', reason: `${reason}; no healthy cluster that holds the leader's data can take over` };
}
