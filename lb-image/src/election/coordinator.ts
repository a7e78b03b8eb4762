// Applies the election rules (decide.ts) to the real clusters: watches the leader
// (leader-watch.ts), follows the leader the fleet elected, holds elections (one at a time in this
// LB; others may hold theirs: the clusters' promises keep them apart), tells every slave the
// leader of the current epoch, and lets requests wait (briefly) while there is no leader.
//
// An election has two phases, as in Paxos: every cluster is asked to promise the new epoch (it
// stops acknowledging the old leader and reports its data), and once a majority has, the one of
// them with the most recent data is assigned the epoch as leader, then the others as followers.
//
// Events: 'era' when the LB stops waiting for every request in flight (an election starts, or the
// epoch changes), 'epoch' (number) when a new epoch begins, 'leader' when requests may go out,
// 'elected' (Elected) after an election of this LB, 'followed' when it follows another's.
import { EventEmitter } from 'node:events';
import { majorityOf, type LeaderAssignment, type Logger, type SlaveHealth } from '@hscale/common';
import type { ClusterView, ProbeOutcome } from '../cluster-view.js';
import type { Member } from '../membership/membership.js';
import { candidateOf } from './candidate-view.js';
import { chooseLeader, decide, promisesNeeded, votingPromises, type CandidateView, type Decision, type FleetLeader } from './decide.js';
import { LeaderWatch } from './leader-watch.js';
import { sendAssignment } from './leader-assignment.js';
import { askPromise } from './promise-request.js';
import { VoterCount } from './voter-count.js';

/** After an election that found no leader, the next waits this long, plus up to as much at random (two LBs that collided do not collide again). */
const ELECTION_RETRY_MS = 200;
/** A cluster that refused to follow the current leader is asked again after this long (not at every check). */
const SYNC_RETRY_MS = 1000;
const SYNC_CONCURRENCY = 4;

export interface CoordinatorOptions {
  failureThreshold: number;
  /** Leader assignments are quick on a live slave; a short bound keeps a hung one from holding up an election. */
  assignTimeoutMs: number;
}

export interface LeaderState extends FleetLeader {
  address: string;
}

/** What the 'elected' event tells (the event log and the metrics listen). */
export interface Elected {
  leaderId: string;
  epoch: number;
  previous: string | null;
  reason: string;
  offset: number | null;
  electionMs: number;
  /** From the failed leader's last sign of life to its successor; null when none had failed. */
  failoverMs: number | null;
}

export class Coordinator extends EventEmitter {
  private current: LeaderState | null = null;
  private readonly watch: LeaderWatch;
  private electing: Promise<void> | null = null;
  /** Clusters being brought to the current epoch, and when one that refused may be asked again. */
  private syncing = new Set<string>();
  private syncRetryAt = new Map<string, number>();
  private lastNoneReason = '';
  /** Highest epoch this LB asked clusters to promise: never asked for again. */
  private spentEpoch = 0;
  /** Since when a newer promise than any leader known has been seen (another LB's election), or null. */
  private foreignSince: number | null = null;
  /** The clusters voting in the current epoch, as this LB last told them. */
  private voters = 1;
  private readonly voterCount = new VoterCount();
  /** When the current leader was set: probes sent before then say nothing about it. */
  private leaderSince = 0;
  /** After an election that found no leader, the next one waits until then (elections are not free). */
  private retryElectionAt = 0;
  /** Bumped whenever every request in flight is given up (election start, new epoch). */
  era = 0;
  electionsTotal = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly opts: CoordinatorOptions,
    private readonly log: Logger,
  ) {
    super();
    this.setMaxListeners(0);
    this.watch = new LeaderWatch(opts.failureThreshold);
  }

  get leader(): LeaderState | null {
    return this.current;
  }

  /** A leader is known, not failing and no election is running: requests may go out. */
  get available(): boolean {
    return this.current !== null && !this.electing && !this.watch.failed;
  }

  /** The leader failed its last check: worth probing it again at once. */
  get suspectingLeader(): boolean {
    return this.watch.suspect || this.electing !== null;
  }

  isLeader(id: string): boolean {
    return this.current?.leaderId === id;
  }

  /** A probe of `m`, sent at `sentAt`, finished. */
  onProbe(m: Member, outcome: ProbeOutcome, sentAt: number): void {
    if (!this.isLeader(m.id) || this.electing || sentAt < this.leaderSince) return;
    if ('stalled' in outcome) return void this.log.info('leader check ignored: this LB was stalled while it was out', { id: m.id });
    if (outcome.ok && outcome.health.name !== this.current?.leaderName) {
      // Another cluster answers at the leader's address (it passed on): the leader is not there.
      this.watch.failure(sentAt, true);
      this.log.warn('another cluster answers at the leader\'s address', { id: m.id, epoch: this.current?.epoch, leaderName: this.current?.leaderName, answering: outcome.health.name });
      return;
    }
    if (outcome.ok && this.looksLikeTheLeader(outcome.health)) {
      this.watch.alive(Date.now());
    } else if (outcome.ok && outcome.health.promised > outcome.health.epoch && outcome.health.epoch === this.current?.epoch) {
      // The leader promised a newer epoch: an election (another LB's) is under way; check() waits for it.
      return;
    } else if (outcome.ok && outcome.health.role === 'none' && outcome.health.redis.role === 'master' && outcome.health.promised <= (this.current?.epoch ?? 0)) {
      // The leader's slave restarted (it forgot its assignment) but its Redis leads on: told again
      // (syncAll), not replaced. If it refuses, that counts as the leader's failure (assign()).
      void this.syncAll();
      return;
    } else {
      // An answer that says the leader's Redis does not work is direct knowledge; silence is not.
      this.watch.failure(sentAt, outcome.health !== null);
      this.log.debug('leader check failed', { id: m.id, sentMsAgo: Date.now() - sentAt, answered: outcome.health !== null, failures: this.watch.consecutiveFailures });
    }
  }

  /** A slave refused a request as of an older epoch than its own: probe it now (the fleet may have a new leader). */
  staleEpochSeen(memberId: string): void {
    this.emit('probe-soon', memberId);
  }

  /** A key-value request was served by the leader's Redis. */
  leaderServed(at: number): void {
    this.watch.alive(at);
  }

  /** A slave could not reach the leader's Redis for a request sent at `sentAt`. */
  leaderUnreachable(sentAt: number): void {
    if (this.current && !this.electing) this.watch.failure(sentAt, false);
  }

  /** Called after probes: follow, elect or bring clusters up to date as the rules say. */
  async check(): Promise<void> {
    if (this.electing) return;
    const d = this.decideNow(false);
    if (d.kind === 'follow') this.follow(d);
    else if (d.kind === 'elect' && Date.now() >= this.retryElectionAt) await this.startElection(false);
    else if (d.kind === 'wait' && (this.current === null || this.watch.failed)) this.sayNone(d.reason);
    // Not awaited: a hung cluster must not hold up the next check. Also while waiting: the voters'
    // count (a scale-down) reaches the slaves this way.
    if (this.current && d.kind !== 'elect') void this.syncAll();
  }

  /** POST /election: run an election now, whatever the leader's health. */
  async forceElection(): Promise<LeaderState | null> {
    if (this.electing) await this.electing;
    await this.startElection(true);
    return this.current;
  }

  /** Resolves true when a leader is available, false after `timeoutMs`. */
  waitForLeader(timeoutMs: number): Promise<boolean> {
    if (this.available) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.off('leader', onLeader);
        resolve(ok);
      };
      const onLeader = () => this.available && done(true);
      const timer = setTimeout(() => done(this.available), timeoutMs);
      this.on('leader', onLeader);
    });
  }

  private looksLikeTheLeader(h: SlaveHealth): boolean {
    return h.epoch === this.current?.epoch && h.role === 'leader' && h.redis.up && h.redis.role === 'master' && h.promised <= h.epoch;
  }

  private candidates(): CandidateView[] {
    return this.view.table.list().map(candidateOf);
  }

  private decideNow(force: boolean): Decision {
    const members = this.candidates();
    // How long a promise newer than every leader known (another LB's election) has been pending.
    const now = Date.now();
    const newestPromise = Math.max(0, ...members.filter((m) => m.healthy).map((m) => m.promised));
    if (newestPromise > Math.max(this.current?.epoch ?? 0, this.spentEpoch)) this.foreignSince ??= now;
    else this.foreignSince = null;
    return decide({
      members,
      voters: this.electionVoters(members),
      current: this.current,
      leaderFailed: this.watch.failed,
      spentEpoch: this.spentEpoch,
      force,
      foreignElectionMs: this.foreignSince === null ? 0 : now - this.foreignSince,
    });
  }

  /** The fleet elected a leader (through another LB, or this one before it restarted): route to it. */
  private follow({ leaderId, epoch, leaderName }: FleetLeader): void {
    this.lastNoneReason = '';
    this.setLeader({ leaderId, epoch, leaderName });
    this.log.info('following the leader the fleet elected', { leaderId, epoch });
    this.emit('followed', { leaderId, epoch });
  }

  private startElection(force: boolean): Promise<void> {
    if (this.electing) return this.electing;
    // From here on no answer of the old leader's era is delivered: requests in flight are given
    // up (and retried once there is a leader), which is safe because each is fenced (see README).
    this.bumpEra();
    // Never rejects: callers fire this and forget it (an unhandled rejection would end the LB).
    const election = this.runElection(force)
      .catch((err: Error) => void this.log.error('election failed; the next check tries again', { error: err.message }))
      .finally(() => {
        if (!this.available) this.retryElectionAt = Date.now() + ELECTION_RETRY_MS * (1 + Math.random());
        this.electing = null;
        this.emit('leader');
      });
    this.electing = election;
    return election;
  }

  private async runElection(force: boolean): Promise<void> {
    const started = Date.now();
    // Fresh health. Not from the leader: it was probed a moment ago, and if it is silent, waiting
    // for one more timeout would only delay the failover.
    await this.view.probeAll({ onlyHealthy: true, except: this.current?.leaderId });
    const d = this.decideNow(force);
    if (d.kind === 'follow') return this.follow(d);
    if (d.kind !== 'elect') return;
    this.lastNoneReason = '';
    const previous = this.current?.leaderId ?? null;
    // A failover lasts from the last sign of life of the failed leader to its successor.
    const failedSince = previous && this.watch.failed ? this.watch.lastAlive : null;
    const leaderId = await this.holdElection(d.epoch, d.reason, force ? undefined : previous && !this.watch.failed ? previous : undefined);
    if (!leaderId) return;
    this.electionsTotal++;
    const ms = Date.now() - started;
    const offset = this.view.table.get(leaderId)?.health?.redis.offset ?? null;
    this.log.warn('elected a new leader', { leaderId, epoch: d.epoch, offset, reason: d.reason, ms });
    const failoverMs = failedSince !== null && Number.isFinite(failedSince) ? Date.now() - failedSince : null;
    this.emit('elected', { leaderId, epoch: d.epoch, previous, reason: d.reason, offset, electionMs: ms, failoverMs } satisfies Elected);
    await this.syncAll();
  }

  /**
   * Both phases at `epoch`: promises from a majority, then the epoch assigned to the best of them.
   * Returns the leader, or null (the reason said, the next check tries again a little later).
   */
  private async holdElection(epoch: number, reason: string, preferred: string | undefined): Promise<string | null> {
    this.spentEpoch = Math.max(this.spentEpoch, epoch);
    const members = this.view.table.list();
    const voters = this.electionVoters(this.candidates());
    const outcomes = await Promise.all(
      members.map(async (m) => {
        const o = await askPromise(this.view, m, epoch, this.opts.assignTimeoutMs, this.log);
        if (o.ok) m.health = o.health; // newer than the last probe's
        return o;
      }),
    );
    const promisers = outcomes.filter((o) => o.ok);
    const counted = votingPromises(promisers, (p) => p.health);
    // voters counts what the clusters were told too (votersOf): a fresh LB that sees two of three
    // clusters still counts three, so the two-cluster exception is not its to use.
    const needed = promisesNeeded(voters, promisers.length, outcomes.filter((o) => !o.ok).map((o) => o.member.healthy));
    if (counted.length < needed) {
      const newer = Math.max(0, ...outcomes.map((o) => (o.ok ? 0 : o.promised)));
      this.sayNone(
        `${reason}; ${counted.length} of ${voters} clusters promised epoch ${epoch} with their data, a majority is ${needed}` +
          (newer >= epoch ? ` (another LB is holding an election, at epoch ${newer})` : ''),
      );
      return null;
    }
    const choice = chooseLeader(
      promisers.map((p) => ({ id: p.member.id, redisUp: p.health.redis.up, syncing: p.health.redis.syncing, dataEpoch: p.health.dataEpoch, offset: p.health.redis.offset })),
      preferred,
    );
    if (!choice) {
      this.sayNone(`${reason}; none of the clusters that promised epoch ${epoch} can lead (their Redis is down or in a full sync)`);
      return null;
    }
    const m = this.view.table.get(choice.id)!;
    const promise = promisers.find((p) => p.member.id === choice.id)!.health;
    const elected = { leaderId: choice.id, epoch, leaderName: promise.name };
    this.voters = voters;
    // One candidate per epoch: if the assignment seems to fail it may still take effect there, so
    // the next attempt is a new election at a new epoch, never another candidate at this one. The
    // candidate leads only the Redis whose data it promised with (not one that restarted since).
    if (!(await this.assign(m, elected, 'election', promise.redis.runId ?? undefined))) return null;
    this.setLeader(elected);
    return choice.id;
  }

  private sayNone(reason: string): void {
    // Said once per situation (this runs after every probe until a cluster is healthy).
    if (this.lastNoneReason !== reason) {
      this.log.warn('no leader can be elected yet', { reason });
      this.emit('no-leader', reason);
    }
    this.lastNoneReason = reason;
  }

  private bumpEra(): void {
    this.era++;
    this.emit('era');
  }

  private setLeader(leader: FleetLeader): void {
    const { leaderId, epoch } = leader;
    const m = this.view.table.get(leaderId);
    this.current = { ...leader, address: m?.address ?? leaderId.split(':')[0]! };
    this.leaderSince = Date.now();
    this.watch.reset(this.leaderSince);
    this.bumpEra();
    this.emit('epoch', epoch);
  }

  /**
   * Bring every healthy slave to the current epoch (followers re-point, a returning leader is
   * demoted). Resolves once the first of them has followed (or all failed): then writes can be
   * replicated, and the others, still on their way, simply are not routed to yet. At most
   * SYNC_CONCURRENCY at a time: with dozens of clusters on a few cores, re-pointing them all at
   * once starves every process (this LB included) and delays the first follower by a second.
   */
  private async syncAll(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    const now = Date.now();
    // The clusters this LB knows vote from now on (a scale change reaches every slave this way);
    // one that left lingers a while, so a restart or a blip never shrinks the majority. An LB that
    // started less than that long ago has not seen who left: it never lowers the count the
    // clusters report (a fresh LB that saw two of three clusters once told them two).
    this.voters = this.electionVoters(this.candidates());
    const stale = this.view.table
      .list()
      .filter((m) => !this.syncing.has(m.id) && (this.syncRetryAt.get(m.id) ?? 0) <= now && m.healthy && m.failures === 0 && m.health)
      .filter((m) => m.health!.epoch !== cur.epoch || (m.health!.role === 'leader') !== (m.id === cur.leaderId) || m.health!.voters !== this.voters)
      // The leader first (awaited below): when more clusters vote, its writes need more
      // confirmations before the newcomers can count in an election.
      .sort((a, b) => Number(b.id === cur.leaderId) - Number(a.id === cur.leaderId));
    for (const m of stale) this.syncing.add(m.id);
    const syncOne = async (m: Member): Promise<boolean> => {
      try {
        if (this.current !== cur) return false; // a newer decision: the next sync handles this one
        const followed = await this.assign(m, cur, 'sync').catch(() => false);
        if (followed) this.syncRetryAt.delete(m.id);
        else this.syncRetryAt.set(m.id, Date.now() + SYNC_RETRY_MS);
        return followed;
      } finally {
        this.syncing.delete(m.id);
      }
    };
    if (stale[0]?.id === cur.leaderId) await syncOne(stale.shift()!);
    let release!: () => void;
    const firstFollowed = new Promise<void>((resolve) => (release = resolve));
    const worker = async () => {
      for (let m = stale.shift(); m; m = stale.shift()) if (await syncOne(m)) release();
    };
    void Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, stale.length) }, worker)).then(() => release());
    await firstFollowed;
  }

  /** The voters an election and a sync count (voter-count.ts). */
  private electionVoters(members: CandidateView[]): number {
    return this.voterCount.count(this.view.table.list(), members);
  }

  /** Tells `m` the leader of an epoch (leader-assignment.ts); true if it accepted. */
  private async assign(m: Member, leader: FleetLeader, reason: LeaderAssignment['reason'], expectRunId?: string): Promise<boolean> {
    const r = await sendAssignment(this.view, m, leader, { reason, voters: this.voters, timeoutMs: this.opts.assignTimeoutMs, expectRunId }, this.log);
    const youAreLeader = m.id === leader.leaderId;
    if (r.kind === 'accepted') {
      const { epoch, leaderId } = leader;
      if (m.health) Object.assign(m.health, { epoch, leaderId, role: youAreLeader ? 'leader' : 'follower', leaderReachable: r.reachable, voters: this.voters, promised: Math.max(m.health.promised, epoch) });
      return true;
    }
    // Another cluster at the leader's address, or the leader refusing a sync (its Redis lost its
    // data): the leader's failure.
    const leaderGone = (r.kind === 'not-sent' && r.otherClusterAtLeader) || (r.kind === 'refused' && reason === 'sync' && youAreLeader);
    if (leaderGone && this.isLeader(leader.leaderId)) this.watch.failure(Date.now(), true);
    return false;
  }
}
