// Applies the election rules (decide.ts) to the real clusters: watches the leader
// (leader-watch.ts), runs elections one at a time, tells every slave the leader of the current
// epoch, and lets requests wait (briefly) while there is no leader.
//
// Events: 'era' when the LB stops waiting for every request in flight (an election starts, or the
// epoch changes), 'epoch' (number) when a new epoch begins, 'leader' when requests may go out.
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { LeaderAssignment, Logger, SlaveHealth } from '@hscale/common';
import type { ClusterView, ProbeOutcome } from '../cluster-view.js';
import type { Member } from '../membership/membership.js';
import { decide, type CandidateView, type CurrentLeader, type Decision, type History } from './decide.js';
import { LeaderWatch } from './leader-watch.js';

const ELECTION_RETRY_MS = 200;
/** A cluster that refused to follow the current leader is asked again after this long (not at every check). */
const SYNC_RETRY_MS = 1000;
const SYNC_CONCURRENCY = 4;

export interface CoordinatorOptions {
  failureThreshold: number;
  /** Leader assignments are quick on a live slave; a short bound keeps a hung one from holding up an election. */
  assignTimeoutMs: number;
}

export interface LeaderState extends CurrentLeader {
  address: string;
}

function historyOf(h: SlaveHealth): History | null {
  const [replId, previous] = h.redis.replIds;
  if (!replId) return null;
  return { replId, ...(previous ? { previous: { replId: previous, upTo: h.redis.replOffset2 } } : {}) };
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
  /** Highest epoch offered to any cluster: an offer that timed out may still have taken effect. */
  private spentEpoch = 0;
  /** The recent offers: epoch -> the cluster it was offered to (a late one is a candidate this LB chose). */
  private readonly offers = new Map<number, string>();
  /** Replication history of the leader's Redis, from its last good probe. */
  private history: History | null = null;
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
    if (outcome.ok && this.looksLikeTheLeader(outcome.health)) {
      this.watch.alive(Date.now());
      this.history = historyOf(outcome.health);
    } else {
      // An answer that says the leader's Redis does not work is direct knowledge; silence is not.
      this.watch.failure(sentAt, outcome.health !== null);
      this.log.debug('leader check failed', { id: m.id, sentMsAgo: Date.now() - sentAt, answered: outcome.health !== null, failures: this.watch.consecutiveFailures });
    }
  }

  /** A key-value request was served by the leader's Redis. */
  leaderServed(at: number): void {
    this.watch.alive(at);
  }

  /** A slave could not reach the leader's Redis for a request sent at `sentAt`. */
  leaderUnreachable(sentAt: number): void {
    if (this.current && !this.electing) this.watch.failure(sentAt, false);
  }

  /** Called after probes: elect, adopt or bring clusters up to date as the rules say. */
  async check(): Promise<void> {
    if (this.electing) return;
    // A cluster ahead of our epoch is learnt from only if the others agree (decide.ts): adopted,
    // or out-voted by a new epoch above its claim.
    const d = this.decideNow(false);
    // Decided on the health the probes last reported, which for a follower serving traffic may be
    // seconds old (it is probed less often): its replication history may have changed since (a
    // full sync). So "none" after the leader failed is checked again by an election on fresh probes.
    const worthElecting = d.kind === 'adopt' || d.kind === 'elect' || (d.kind === 'none' && this.current !== null && this.watch.failed);
    if (worthElecting && Date.now() >= this.retryElectionAt) await this.startElection(false);
    else if (d.kind === 'none') this.sayNone(d.reason);
    else if (d.kind === 'keep') void this.syncAll(); // not awaited: a hung cluster must not hold up the next check
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
    return h.epoch === this.current?.epoch && h.role === 'leader' && h.redis.up && h.redis.role === 'master';
  }

  private candidates(exclude: Set<string>): CandidateView[] {
    return this.view.table.list().map((m) => ({
      id: m.id,
      probed: m.probed,
      healthy: m.healthy && m.failures === 0 && !exclude.has(m.id),
      epoch: m.health?.epoch ?? 0,
      claimsLeadership: m.health?.role === 'leader',
      leaderId: m.health?.leaderId ?? null,
      followsLeader: !!m.health && m.health.leaderReachable && m.health.redis.role === 'replica' && m.health.redis.linkUp,
      redisRole: m.health?.redis.role ?? 'down',
      offset: m.health?.redis.offset ?? 0,
      replId: m.health?.redis.replIds[0] ?? '',
      syncing: m.health?.redis.syncing ?? false,
    }));
  }

  private decideNow(force: boolean, exclude = new Set<string>()): Decision {
    return decide({
      members: this.candidates(exclude),
      current: this.current,
      leaderFailed: this.watch.failed,
      spentEpoch: this.spentEpoch,
      offers: this.offers,
      history: this.history,
      force,
    });
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
        if (!this.available) this.retryElectionAt = Date.now() + ELECTION_RETRY_MS;
        this.electing = null;
        this.emit('leader');
      });
    this.electing = election;
    return election;
  }

  private async runElection(force: boolean): Promise<void> {
    const started = Date.now();
    // Fresh replication offsets. Not from the leader: it was probed a moment ago, and if it is
    // silent, waiting for one more timeout would only delay the failover.
    await this.view.probeAll({ onlyHealthy: true, except: this.current?.leaderId });
    const excluded = new Set<string>();
    for (let attempt = 0; attempt <= this.view.table.list().length; attempt++) {
      const d = this.decideNow(force && attempt === 0, excluded);
      if (d.kind === 'keep' || d.kind === 'wait') return;
      if (d.kind === 'none') return this.sayNone(d.reason);
      this.lastNoneReason = '';
      const m = this.view.table.get(d.leaderId)!;
      // Spent before it is sent: if the answer is lost, the offer may still take effect there.
      this.spentEpoch = Math.max(this.spentEpoch, d.epoch);
      this.offers.set(d.epoch, d.leaderId);
      for (const e of this.offers.keys()) if (this.offers.size > 64) this.offers.delete(e); // oldest first
      const previous = this.current?.leaderId ?? null;
      // A failover lasts from the last sign of life of the failed leader to its successor.
      const failedSince = previous && this.watch.failed ? this.watch.lastAlive : null;
      if (await this.assign(m, d.epoch, d.leaderId, d.kind === 'adopt' ? 'sync' : 'election')) {
        this.setLeader(d.leaderId, d.epoch);
        if (d.kind === 'adopt') {
          this.log.info('adopted the leader the clusters agree on, under a new epoch', { leaderId: d.leaderId, epoch: d.epoch });
          this.emit('adopted', { leaderId: d.leaderId, epoch: d.epoch });
        } else {
          this.electionsTotal++;
          const ms = Date.now() - started;
          this.log.warn('elected a new leader', { leaderId: d.leaderId, epoch: d.epoch, offset: m.health?.redis.offset, reason: d.reason, ms });
          const failoverMs = failedSince !== null && Number.isFinite(failedSince) ? Date.now() - failedSince : null;
          const elected: Elected = { leaderId: d.leaderId, epoch: d.epoch, previous, reason: d.reason, offset: m.health?.redis.offset ?? null, electionMs: ms, failoverMs };
          this.emit('elected', elected);
        }
        break;
      }
      excluded.add(m.id);
    }
    await this.syncAll();
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

  private setLeader(leaderId: string, epoch: number): void {
    const m = this.view.table.get(leaderId);
    // A promoted Redis starts a new replication history: learnt from its first probe, 100 ms on.
    if (this.current?.leaderId !== leaderId) this.history = null;
    this.current = { leaderId, epoch, address: m?.address ?? leaderId.split(':')[0]! };
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
    const stale = this.view.table
      .list()
      .filter((m) => !this.syncing.has(m.id) && (this.syncRetryAt.get(m.id) ?? 0) <= now && m.healthy && m.failures === 0 && m.health)
      .filter((m) => m.health!.epoch !== cur.epoch || (m.health!.role === 'leader') !== (m.id === cur.leaderId));
    for (const m of stale) this.syncing.add(m.id);
    const syncOne = async (m: Member): Promise<boolean> => {
      try {
        if (this.current !== cur) return false; // a newer decision: the next sync handles this one
        const followed = await this.assign(m, cur.epoch, cur.leaderId, 'sync').catch(() => false);
        if (followed) this.syncRetryAt.delete(m.id);
        else this.syncRetryAt.set(m.id, Date.now() + SYNC_RETRY_MS);
        return followed;
      } finally {
        this.syncing.delete(m.id);
      }
    };
    let release!: () => void;
    const firstFollowed = new Promise<void>((resolve) => (release = resolve));
    const worker = async () => {
      for (let m = stale.shift(); m; m = stale.shift()) if (await syncOne(m)) release();
    };
    void Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, stale.length) }, worker)).then(() => release());
    await firstFollowed;
  }

  private async assign(m: Member, epoch: number, leaderId: string, reason: LeaderAssignment['reason']): Promise<boolean> {
    const leaderMember = this.view.table.get(leaderId);
    const leader = leaderMember?.health?.redis.endpoint;
    if (!leader) return false;
    // Every Redis is about to replicate this address, and send it the Redis password: it must be
    // the leader's own (when its address is an IP to compare with), not whatever its /health says.
    if (isIP(leaderMember.address) && leader.host !== leaderMember.address) {
      this.log.warn('not assigning a leader whose Redis address is not its own', { leaderId, address: leaderMember.address, claimed: leader.host });
      return false;
    }
    const body: LeaderAssignment = { epoch, leaderId, leader, youAreLeader: m.id === leaderId, reason };
    try {
      const res = await this.view.assign(m, body, this.opts.assignTimeoutMs);
      if (res.status === 200) {
        // The answer says whether the slave already reaches the new leader's Redis; without it,
        // requests would wait for this member's next probe (a second, for a follower).
        const reachable = (parseJson(res.body) as { leaderReachable?: unknown } | null)?.leaderReachable === true;
        if (m.health) Object.assign(m.health, { epoch, leaderId, role: body.youAreLeader ? 'leader' : 'follower', leaderReachable: reachable });
        return true;
      }
      const answer = res.body.toString('utf8').slice(0, 300);
      this.log.warn('a cluster refused the leader assignment', { id: m.id, epoch, reason, status: res.status, answer });
      // The leader itself refusing a sync means its Redis lost its data: that is a failure.
      if (reason === 'sync' && body.youAreLeader && this.isLeader(m.id)) this.watch.failure(Date.now(), true);
    } catch (err) {
      this.log.warn('leader assignment failed', { id: m.id, epoch, error: (err as Error).message });
      this.view.recordFailure(m);
    }
    return false;
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}
