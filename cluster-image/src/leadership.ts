// What this slave believes about leadership, and the only place that re-points its local Redis.
// Rules: epochs only grow; this cluster is one vote in every election (it promises an epoch once,
// never below one it promised: acceptor-state.ts), and once it promised it stops acknowledging
// older leaders; a leader's Redis is promoted only by an election (which compared the data of a
// majority); a Redis that restarted since it was promoted is never treated as a working leader.
import type { LeaderAssignment, Logger, PromiseAnswer, RedisEndpoint, SlaveHealth } from '@hscale/common';
import type { AcceptorState } from './acceptor-state.js';
import { LeaderStore, type StoreOptions } from './leader-store.js';
import type { LocalRedis } from './local-redis.js';
import { Sweeper } from './store/sweeper.js';

export type AcceptResult = { ok: true } | { ok: false; status: number; code: string; message: string };
export type PromiseResult = { ok: true; answer: PromiseAnswer } | { ok: false; status: number; code: string; message: string; promised: number };

const sameEndpoint = (a: RedisEndpoint, b: RedisEndpoint) => a.host === b.host && a.port === b.port;

export class Leadership {
  private current: LeaderAssignment | null = null;
  private store: LeaderStore | null = null;
  /** run_id of the local Redis when it became leader: a different run_id means it restarted (empty). */
  private promotedRunId: string | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  /** While leading: drops listing-index entries of expired keys now and then (bounded work). */
  private readonly sweeper: Sweeper;

  constructor(
    private readonly local: LocalRedis,
    private readonly storeOptions: StoreOptions,
    private readonly log: Logger,
    private readonly acceptor: AcceptorState,
  ) {
    this.sweeper = new Sweeper(local, log);
  }

  /** Whether this slave's connections to the leader's Redis are up. */
  get leaderReachable(): boolean {
    return this.store?.reachable ?? false;
  }

  get epoch(): number {
    return this.current?.epoch ?? 0;
  }

  /** The leader's store, if a leader is known. */
  get leaderStore(): LeaderStore | null {
    return this.store;
  }

  /** A leader assignment (PUT /internal/leader) to this cluster, called `name`. */
  async accept(a: LeaderAssignment, name: string): Promise<AcceptResult> {
    const result = await this.serialized(() => this.apply(a, name));
    // Answer the LB once connected to the leader's Redis (bounded), so that it can route to this
    // slave right away. Outside the lock: a leader that died meanwhile must not hold up the next
    // assignment (the election that replaces it) for the whole wait.
    const store = this.store;
    if (result.ok && store && sameEndpoint(store.endpoint, a.leader)) await store.ready(this.storeOptions.opTimeoutMs);
    return result;
  }

  /**
   * An election's first phase (POST /internal/promise): never take part in anything older than
   * `epoch` again. Answered only once the local Redis stopped acknowledging the old leader and the
   * promise is on disk; refused for an epoch not above the one already promised.
   */
  promise(epoch: number, name: string): Promise<PromiseResult> {
    return this.serialized(async () => {
      const promised = this.acceptor.promised;
      if (epoch <= promised) {
        return { ok: false, status: 409, code: 'promised', message: `this cluster already promised epoch ${promised} (asked for ${epoch})`, promised };
      }
      // On disk first: a promise is never answered without it, and a freeze that fails afterwards
      // only spends the epoch (this cluster then answers no promise for it).
      this.acceptor.raise(epoch);
      try {
        await this.local.freeze(epoch);
      } catch (err) {
        return { ok: false, status: 503, code: 'redis_down', message: `the local redis could not be frozen: ${(err as Error).message}`, promised: epoch };
      }
      this.stopSweeping();
      this.log.info('promised an epoch to an election', { epoch, epochServed: this.epoch });
      return { ok: true, answer: { promised: epoch, health: await this.health(name) } };
    });
  }

  /** Periodic repair: a follower whose Redis restarted (and came back fenced) follows the leader again. */
  reconcile(): Promise<void> {
    return this.serialized(async () => {
      const a = this.current;
      // A cluster that promised a newer epoch stays frozen until that election assigns it a leader.
      if (!a || a.youAreLeader || this.acceptor.promised > a.epoch) return;
      const following = await this.local.following();
      if (!following || !sameEndpoint(following, a.leader)) {
        const info = await this.local.inspect();
        if (!info) return;
        this.log.warn('local redis is not following the leader; re-pointing it', { epoch: a.epoch, was: info.role });
        await this.local.follow(a.leader, a.epoch).catch((err: Error) => this.log.warn('re-pointing failed', { error: err.message }));
      }
    });
  }

  async health(name: string): Promise<SlaveHealth> {
    const info = await this.local.inspect();
    let role: SlaveHealth['redis']['role'] = info ? info.role : 'down';
    // A leader whose Redis restarted may come back as a master after all (if someone lifted the
    // fence by hand): its data is gone either way, so report it as fenced.
    if (info && this.current?.youAreLeader && this.promotedRunId && info.runId !== this.promotedRunId) role = 'fenced';
    return {
      name,
      epoch: this.epoch,
      promised: this.acceptor.promised,
      voters: this.current?.voters ?? 0,
      dataEpoch: info ? await this.local.dataEpoch().catch(() => 0) : 0,
      role: !this.current ? 'none' : this.current.youAreLeader ? 'leader' : 'follower',
      leaderId: this.current?.leaderId ?? null,
      leaderReachable: this.leaderReachable,
      redis: {
        up: info !== null,
        role,
        endpoint: this.local.endpoint,
        offset: info?.offset ?? 0,
        runId: info?.runId ?? null,
        replIds: info?.replIds ?? [],
        replOffset2: info?.replOffset2 ?? -1,
        syncing: info?.syncing ?? false,
        linkUp: info?.linkUp ?? false,
        connectedReplicas: info?.connectedReplicas ?? 0,
        ...(info ? { memory: info.memory, keys: info.keys } : {}),
      },
    };
  }

  async close(): Promise<void> {
    this.stopSweeping();
    await this.store?.close();
    this.store = null;
  }

  private async apply(a: LeaderAssignment, name: string): Promise<AcceptResult> {
    const cur = this.current;
    // The LB addresses clusters by IP, and an IP can pass to another container (Docker reuses a
    // stopped one's). An assignment meant for another cluster must not make this one lead, nor
    // make the leader follow its own old address.
    if (a.youAreLeader !== (a.leaderName === name)) {
      return {
        ok: false,
        status: 409,
        code: 'not_this_cluster',
        message: a.youAreLeader
          ? `the leader of epoch ${a.epoch} is the cluster named ${a.leaderName}, not this one (${name}): the LB's address for it is out of date`
          : `this cluster (${name}) is the leader of epoch ${a.epoch} named in the assignment, not ${a.leaderId}: the LB's address for it is out of date`,
      };
    }
    if (a.epoch < this.acceptor.promised) {
      return { ok: false, status: 409, code: 'stale_epoch', message: `epoch ${a.epoch} is older than the epoch ${this.acceptor.promised} this cluster promised to an election` };
    }
    if (cur && a.epoch < cur.epoch) {
      return { ok: false, status: 409, code: 'stale_epoch', message: `epoch ${a.epoch} is older than this slave's epoch ${cur.epoch}` };
    }
    if (cur && a.epoch === cur.epoch && (a.leaderId !== cur.leaderId || a.youAreLeader !== cur.youAreLeader)) {
      return { ok: false, status: 409, code: 'epoch_conflict', message: `epoch ${a.epoch} already has leader ${cur.leaderId}` };
    }
    const info = await this.local.inspect();
    if (!info) return { ok: false, status: 503, code: 'redis_down', message: 'the local redis is not reachable' };

    if (a.youAreLeader && a.expectRunId && a.expectRunId !== info.runId) {
      return { ok: false, status: 409, code: 'redis_restarted', message: 'this cluster\'s redis restarted since it promised: it no longer holds the data the election chose' };
    }
    if (a.youAreLeader) {
      // A different run_id means the Redis restarted since it was promoted: it lost its data.
      const restarted = this.promotedRunId !== null && info.runId !== this.promotedRunId;
      if ((info.role !== 'master' || restarted) && a.reason !== 'election') {
        return {
          ok: false,
          status: 409,
          code: 'not_master',
          message: 'this cluster was the leader but its redis restarted without its data; only an election may choose the leader now',
        };
      }
      if (info.role === 'fenced') this.log.warn('promoting a redis that restarted: the data it held before is lost', { epoch: a.epoch });
      try {
        await this.local.promote(a.epoch, info.role === 'master' && !restarted);
      } catch (err) {
        return { ok: false, status: 503, code: 'promotion_failed', message: `the local redis refused to lead epoch ${a.epoch}: ${(err as Error).message}` };
      }
      this.promotedRunId = info.runId; // REPLICAOF NO ONE keeps the run_id
      if (!cur?.youAreLeader || cur.epoch !== a.epoch) this.log.info('local redis leads', { epoch: a.epoch, offset: info.offset });
      this.startSweeping();
    } else {
      this.stopSweeping();
      await this.local.follow(a.leader, a.epoch);
      this.promotedRunId = null;
    }

    if (!this.store || !sameEndpoint(this.store.endpoint, a.leader)) {
      const old = this.store;
      this.store = new LeaderStore(a.leader, this.storeOptions, this.log);
      void old?.close();
    }
    this.store.setTerm(a.epoch, a.voters);
    // An assignment is the outcome of an election that a majority promised: never vote below it.
    this.acceptor.raise(a.epoch);
    if (!cur || cur.epoch !== a.epoch) {
      this.log.info('leader assignment accepted', { epoch: a.epoch, leaderId: a.leaderId, youAreLeader: a.youAreLeader, reason: a.reason });
    }
    this.current = a;
    return { ok: true };
  }

  private startSweeping(): void {
    this.sweeper.start();
  }

  private stopSweeping(): void {
    this.sweeper.stop();
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}
