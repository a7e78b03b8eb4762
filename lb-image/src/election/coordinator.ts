// Applies the election rules (decide.ts) to the real clusters: counts leader failures, runs
// elections one at a time, tells every slave the leader of the current epoch, and lets requests
// wait (briefly) while there is no leader.
import { EventEmitter } from 'node:events';
import type { LeaderAssignment, Logger } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Member } from '../membership/membership.js';
import type { InflightTracker } from '../routing/inflight.js';
import { decide, type CandidateView, type CurrentLeader } from './decide.js';

export interface CoordinatorOptions {
  failureThreshold: number;
  requestTimeoutMs: number;
  /** Leader assignments are quick on a live slave; a short bound keeps a hung one from holding up an election. */
  assignTimeoutMs: number;
}

export interface LeaderState extends CurrentLeader {
  address: string;
}

export class Coordinator extends EventEmitter {
  private current: LeaderState | null = null;
  private leaderFailures = 0;
  private electing: Promise<void> | null = null;
  private lastNoneReason = '';
  electionsTotal = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly inflight: InflightTracker,
    private readonly opts: CoordinatorOptions,
    private readonly log: Logger,
  ) {
    super();
    this.setMaxListeners(0);
  }

  get leader(): LeaderState | null {
    return this.current;
  }

  /** A leader is known, not failing and no election is running: requests may go out. */
  get available(): boolean {
    return this.current !== null && !this.electing && this.leaderFailures < this.opts.failureThreshold;
  }

  /** The leader failed its last check: worth probing again without pausing. */
  get suspectingLeader(): boolean {
    return this.leaderFailures > 0 || this.electing !== null;
  }

  isLeader(id: string): boolean {
    return this.current?.leaderId === id;
  }

  /** Called after every probe round. */
  async afterProbes(): Promise<void> {
    if (this.electing) return;
    const cur = this.current;
    const members = this.view.table.list();
    const newest = Math.max(0, ...members.map((m) => m.health?.epoch ?? 0));
    if (cur && newest > cur.epoch) {
      // A cluster knows a newer epoch than we do (cannot happen with one LB, but never go back).
      this.log.warn('a cluster reports a newer epoch; re-learning the leader', { ours: cur.epoch, theirs: newest });
      this.current = null;
    }
    if (this.current) {
      const leader = this.view.table.get(this.current.leaderId);
      this.leaderFailures = leader && this.leaderLooksHealthy(leader) ? 0 : this.leaderFailures + 1;
    }
    await this.decideAndApply(false);
    if (!this.electing) await this.syncAll();
  }

  /** A slave could not reach the leader's Redis while serving a request. */
  reportLeaderFailure(): void {
    if (!this.current) return;
    this.leaderFailures++;
    if (this.leaderFailures >= this.opts.failureThreshold && !this.electing) void this.decideAndApply(false);
  }

  /** POST /election: run an election now, whatever the leader's health. */
  async forceElection(): Promise<LeaderState | null> {
    if (this.electing) await this.electing;
    await this.decideAndApply(true);
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

  private leaderLooksHealthy(m: Member): boolean {
    const h = m.health;
    return m.failures === 0 && !!h && h.epoch === this.current?.epoch && h.role === 'leader' && h.redis.up && h.redis.role === 'master';
  }

  private candidates(exclude: Set<string>): CandidateView[] {
    return this.view.table.list().map((m) => ({
      id: m.id,
      probed: m.probed,
      healthy: m.healthy && m.failures === 0 && !exclude.has(m.id),
      epoch: m.health?.epoch ?? 0,
      claimsLeadership: m.health?.role === 'leader',
      redisRole: m.health?.redis.role ?? 'down',
      offset: m.health?.redis.offset ?? 0,
    }));
  }

  private decideAndApply(force: boolean): Promise<void> {
    const quick = decide({
      members: this.candidates(new Set()),
      current: this.current,
      leaderFailures: this.leaderFailures,
      threshold: this.opts.failureThreshold,
      force,
    });
    if (quick.kind === 'keep' || quick.kind === 'wait') return Promise.resolve();
    if (quick.kind === 'adopt') {
      this.setLeader(quick.leaderId, quick.epoch);
      this.log.info('adopted the leader the clusters agree on', { leaderId: quick.leaderId, epoch: quick.epoch });
      return Promise.resolve();
    }
    if (this.electing) return this.electing;
    // Never rejects: callers fire this and forget it (an unhandled rejection would end the LB).
    const election = this.runElection(force)
      .catch((err: Error) => void this.log.error('election failed; the next probe round tries again', { error: err.message }))
      .finally(() => {
        this.electing = null;
        this.emit('leader');
      });
    this.electing = election;
    return election;
  }

  private async runElection(force: boolean): Promise<void> {
    const started = Date.now();
    // Let requests already talking to the old leader finish (they are bounded by their timeouts).
    await this.inflight.drain(Math.min(this.opts.requestTimeoutMs, 2000));
    await this.view.probeAll({ onlyHealthy: true }); // fresh replication offsets
    const excluded = new Set<string>();
    for (let attempt = 0; attempt <= this.view.table.list().length; attempt++) {
      const d = decide({
        members: this.candidates(excluded),
        current: this.current,
        leaderFailures: this.leaderFailures,
        threshold: this.opts.failureThreshold,
        force: force && attempt === 0,
      });
      if (d.kind === 'keep' || d.kind === 'wait') return;
      if (d.kind === 'none') {
        // Said once per situation (this runs every probe round until a cluster is healthy).
        if (this.lastNoneReason !== d.reason) this.log.warn('no leader can be elected yet', { reason: d.reason });
        this.lastNoneReason = d.reason;
        return;
      }
      this.lastNoneReason = '';
      if (d.kind === 'adopt') {
        this.setLeader(d.leaderId, d.epoch);
        break;
      }
      const m = this.view.table.get(d.leaderId)!;
      const ok = await this.assign(m, d.epoch, d.leaderId, 'election');
      if (ok) {
        this.setLeader(d.leaderId, d.epoch);
        this.electionsTotal++;
        this.log.warn('elected a new leader', { leaderId: d.leaderId, epoch: d.epoch, offset: m.health?.redis.offset, reason: d.reason, ms: Date.now() - started });
        break;
      }
      excluded.add(m.id);
    }
    await this.syncAll();
    await this.view.probeAll({ onlyHealthy: true }); // so routing sees the slaves connected to the new leader
  }

  private setLeader(leaderId: string, epoch: number): void {
    const m = this.view.table.get(leaderId);
    this.current = { leaderId, epoch, address: m?.address ?? leaderId.split(':')[0]! };
    this.leaderFailures = 0;
  }

  /** Bring every healthy slave to the current epoch (followers re-point, a returning leader is demoted). */
  private async syncAll(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    const stale = this.view.table
      .list()
      .filter((m) => m.healthy && m.failures === 0 && m.health && (m.health.epoch !== cur.epoch || (m.health.role === 'leader') !== (m.id === cur.leaderId)));
    await Promise.all(stale.map((m) => this.assign(m, cur.epoch, cur.leaderId, 'sync')));
  }

  private async assign(m: Member, epoch: number, leaderId: string, reason: LeaderAssignment['reason']): Promise<boolean> {
    const leader = this.view.table.get(leaderId)?.health?.redis.endpoint;
    if (!leader) return false;
    const body: LeaderAssignment = { epoch, leaderId, leader, youAreLeader: m.id === leaderId, reason };
    try {
      const res = await this.view.assign(m, body, this.opts.assignTimeoutMs);
      if (res.status === 200) {
        if (m.health) Object.assign(m.health, { epoch, leaderId, role: body.youAreLeader ? 'leader' : 'follower' });
        return true;
      }
      const answer = res.body.toString('utf8').slice(0, 300);
      this.log.warn('a cluster refused the leader assignment', { id: m.id, epoch, reason, status: res.status, answer });
      // The leader itself refusing a sync means its Redis lost its data: elect now.
      if (reason === 'sync' && body.youAreLeader) this.leaderFailures = this.opts.failureThreshold;
    } catch (err) {
      this.log.warn('leader assignment failed', { id: m.id, epoch, error: (err as Error).message });
      this.view.recordFailure(m);
    }
    return false;
  }
}
