// The election rules, as pure functions: what an LB knows → keep the leader, follow the leader the
// fleet elected (perhaps through another LB), or hold an election at a new epoch; and, once a
// majority promised that epoch, which of them leads. The I/O is in coordinator.ts.
//
// Any number of LBs apply these rules side by side (README "Several LBs"). What keeps them safe is
// not that they agree, but the clusters' promises: an epoch is led only by the candidate of an
// election that a majority of clusters promised it to, and each cluster promises an epoch once.
import { majorityOf, type RedisRole } from '@hscale/common';

export interface CandidateView {
  id: string;
  /** The cluster's own name (its host name: the same after a restart at a new address), or its id. */
  name: string;
  /** A probe finished since the member appeared (with either outcome). */
  probed: boolean;
  healthy: boolean;
  /** What the member's slave last reported. */
  epoch: number;
  /** The highest epoch it promised to an election (0 if it never did). */
  promised: number;
  /** The voting clusters of its epoch, as its assignment counted them (0: none yet). */
  voters: number;
  claimsLeadership: boolean;
  /** The leader of its epoch, as the member reports it. */
  leaderId: string | null;
  redisRole: RedisRole;
  /** Replication offset of the member's Redis: how much of the write stream it holds. */
  offset: number;
  /** The epoch of the leader whose data its Redis holds (the fence in the data). */
  dataEpoch: number;
  /** A full sync is in progress: the member's data is being replaced. */
  syncing: boolean;
}

export interface CurrentLeader {
  leaderId: string;
  epoch: number;
}

/** The leader the fleet elected, with its own name (what it answers to at any address). */
export interface FleetLeader extends CurrentLeader {
  leaderName: string;
}

export interface ElectionInput {
  members: CandidateView[];
  current: CurrentLeader | null;
  /** Whether the current leader has failed (leader-watch.ts). */
  leaderFailed: boolean;
  /** The highest epoch this LB asked clusters to promise (an election of its own may be under way). */
  spentEpoch: number;
  /** An administrator asked for an election (POST /election). */
  force?: boolean;
  /** The voting clusters as the LB counts them (default: votersOf(members)). */
  voters?: number;
  /**
   * Another election (a newer promise without a leader yet) has been under way for this long: it
   * is given ELECTION_PATIENCE_MS to finish before this LB holds one of its own.
   */
  foreignElectionMs?: number;
}

export type Decision =
  | { kind: 'keep' }
  | { kind: 'wait'; reason: string }
  /** The fleet elected this leader (through this LB or another): route to it, no new epoch. */
  | ({ kind: 'follow' } & FleetLeader)
  /** Ask every cluster to promise `epoch`; with a majority, the best of them leads (chooseLeader). */
  | { kind: 'elect'; epoch: number; reason: string };

/** How long an LB lets another LB's election finish before it holds its own. */
export const ELECTION_PATIENCE_MS = 2000;

/**
 * How many clusters vote: every member this LB knows, or more if an assignment counted more (a
 * cluster this LB does not know yet). Never fewer: a smaller count would make a smaller majority.
 */
export function votersOf(members: CandidateView[]): number {
  // By name: a cluster that came back at a new address is one voter, not two.
  return Math.max(new Set(members.map((m) => m.name)).size, ...members.map((m) => m.voters), 1);
}

/**
 * The leader the fleet elected: the newest epoch whose leader says so (its Redis a master, not
 * frozen by a newer promise), backed by a majority of the voters that promised that epoch or a
 * newer one. An epoch is assigned only after a majority promised it, so a real leader always has
 * that backing; a member that claims a huge epoch on its own (a bug, or a compromised container)
 * never does.
 */
export function fleetLeader(members: CandidateView[]): FleetLeader | null {
  const voters = votersOf(members);
  // Two clusters, one of them down or gone: the survivor's word (the weaker two-cluster promise).
  const needed = voters === 2 && members.filter((m) => m.healthy).length < 2 ? 1 : majorityOf(voters);
  const claims = members
    .filter((m) => m.healthy && m.claimsLeadership && m.redisRole === 'master' && m.promised <= m.epoch && m.epoch > 0)
    .sort((a, b) => b.epoch - a.epoch);
  for (const c of claims) {
    const backing = members.filter((m) => m.healthy && Math.max(m.promised, m.epoch) >= c.epoch).length;
    if (backing >= needed) return { leaderId: c.id, epoch: c.epoch, leaderName: c.name };
  }
  return null;
}

export function decide(input: ElectionInput): Decision {
  const { members, current, force } = input;
  // Epochs are never reused: above every epoch known, promised or asked for.
  const next = 1 + Math.max(current?.epoch ?? 0, input.spentEpoch, ...members.map((m) => Math.max(m.epoch, m.promised)));
  if (force) return { kind: 'elect', epoch: next, reason: 'requested by an administrator' };
  if (members.length === 0) return { kind: 'wait', reason: 'no clusters known yet' };
  // A fresh LB (first start or restart) learns before acting, so a restart never elects blindly.
  if (!current && members.some((m) => !m.probed)) return { kind: 'wait', reason: 'not every cluster has been probed yet' };

  const fleet = fleetLeader(members);
  if (fleet && (!current || fleet.epoch > current.epoch)) return { kind: 'follow', ...fleet };

  // Another LB's election is under way (a promise above every leader known): let it finish.
  const newestPromise = Math.max(0, ...members.filter((m) => m.healthy).map((m) => m.promised));
  const known = Math.max(current?.epoch ?? 0, fleet?.epoch ?? 0, input.spentEpoch);
  if (newestPromise > known && (input.foreignElectionMs ?? 0) < ELECTION_PATIENCE_MS) {
    return { kind: 'wait', reason: `another election (epoch ${newestPromise}) is under way` };
  }

  // An election needs promises from a majority (with two clusters, from the one that answers): not
  // worth an epoch while fewer clusters answer (they are starting, or cut off from this LB).
  const voters = input.voters ?? votersOf(members);
  const answering = members.filter((m) => m.healthy).length;
  const tooFew: Decision | null =
    answering < (voters === 2 ? 1 : majorityOf(voters)) ? { kind: 'wait', reason: `${answering} of ${voters} clusters answer; an election needs a majority` } : null;

  if (current) {
    const leader = members.find((m) => m.id === current.leaderId);
    // Another cluster leading this epoch too can only come from two-cluster elections on either
    // side of a cut (README "Guarantees"): once both are seen, a new election ends it.
    const rival = members.find((m) => m.id !== current.leaderId && m.healthy && m.claimsLeadership && m.redisRole === 'master' && m.epoch === current.epoch);
    if (leader && !input.leaderFailed && newestPromise <= current.epoch && !rival) return { kind: 'keep' };
    const reason = !leader
      ? `leader ${current.leaderId} left the membership`
      : input.leaderFailed
        ? `leader ${current.leaderId} failed`
        : rival
          ? `${rival.id} also leads epoch ${current.epoch}`
          : `an election for epoch ${newestPromise} did not finish`;
    return tooFew ?? { kind: 'elect', epoch: next, reason };
  }
  if (tooFew) return tooFew;
  const newest = Math.max(...members.map((m) => m.epoch));
  const claimant = members.find((m) => m.epoch === newest && m.claimsLeadership);
  const reason =
    newest === 0
      ? 'no leader yet'
      : claimant
        ? `${claimant.id} claims epoch ${newest} without the other clusters' agreement`
        : `the leader of epoch ${newest} is not available`;
  return { kind: 'elect', epoch: next, reason };
}

/** What a cluster's promise says about its data (from the health in its answer). */
export interface Promiser {
  id: string;
  redisUp: boolean;
  syncing: boolean;
  dataEpoch: number;
  offset: number;
}

/**
 * The leader among the clusters that promised: the one holding the most recent data. Raft's rule:
 * first the epoch of the leader its data came from (the fence replicated with the data), then how
 * much of that leader's history it holds (the offset, comparable within one leader's history).
 * Every acknowledged write is held by a majority, which shares a cluster with the promisers, so
 * the most recent data among them includes it. Ties: `preferred` (the leader keeps leading rather
 * than fail over for nothing), then the id, so every LB picks the same.
 */
export function chooseLeader(promisers: Promiser[], preferred?: string): Promiser | undefined {
  const usable = promisers.filter((p) => p.redisUp && !p.syncing);
  const rank = (p: Promiser) => [p.dataEpoch, p.offset, p.id === preferred ? 1 : 0] as const;
  return usable.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  })[0];
}

/**
 * Promises an election needs: a majority of the voters; with two, one, if the other cluster is
 * down for this LB (its probes fail, or it left the membership): the weaker promise of a
 * two-cluster fleet (README "Guarantees"), which keeps it working after either cluster fails.
 * `silentHealthy`: for each cluster that did not promise, whether its probes succeed.
 */
export function promisesNeeded(voters: number, promised: number, silentHealthy: boolean[]): number {
  if (voters === 2 && promised + silentHealthy.filter(Boolean).length < 2) return 1;
  return majorityOf(voters);
}

/**
 * The promises that count toward the majority: a cluster whose Redis holds no leader's data (it
 * restarted empty, or never synced) or is in a full sync has forgotten what it confirmed, so it
 * does not vote, unless no promiser holds any data (a fresh fleet, or one that lost everything).
 */
export function votingPromises<T>(promisers: T[], health: (p: T) => { dataEpoch: number; redis: { syncing: boolean } }): T[] {
  const holding = promisers.filter((p) => health(p).dataEpoch > 0 && !health(p).redis.syncing);
  return holding.length > 0 ? holding : promisers;
}
