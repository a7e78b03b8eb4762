// What this slave believes about leadership, and the only place that re-points its local Redis.
// Rules: epochs only grow; a leader's Redis is promoted only by an election (which compared data
// offsets); a Redis that restarted since it was promoted is never treated as a working leader.
import type { LeaderAssignment, Logger, RedisEndpoint, SlaveHealth } from '@hscale/common';
import { LeaderStore, type StoreOptions } from './leader-store.js';
import type { LocalRedis } from './local-redis.js';
import { Sweeper } from './store/sweeper.js';

export type AcceptResult = { ok: true } | { ok: false; status: number; code: string; message: string };

const sameEndpoint = (a: RedisEndpoint, b: RedisEndpoint) => a.host === b.host && a.port === b.port;

export class Leadership {
  private current: LeaderAssignment | null = null;
  private store: LeaderStore | null = null;
  /** run_id of the local Redis when it became leader: a different run_id means it restarted (empty). */
  private promotedRunId: string | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  /** While leading: drops listing-index entries of expired keys now and then (bounded work). */
  private readonly sweeper: Sweeper;

  constructor(private readonly local: LocalRedis, private readonly storeOptions: StoreOptions, private readonly log: Logger) {
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

  async accept(a: LeaderAssignment): Promise<AcceptResult> {
    const result = await this.serialized(() => this.apply(a));
    // Answer the LB once connected to the leader's Redis (bounded), so that it can route to this
    // slave right away. Outside the lock: a leader that died meanwhile must not hold up the next
    // assignment (the election that replaces it) for the whole wait.
    const store = this.store;
    if (result.ok && store && sameEndpoint(store.endpoint, a.leader)) await store.ready(this.storeOptions.opTimeoutMs);
    return result;
  }

  /** Periodic repair: a follower whose Redis restarted (and came back fenced) follows the leader again. */
  reconcile(): Promise<void> {
    return this.serialized(async () => {
      const a = this.current;
      if (!a || a.youAreLeader) return;
      const following = await this.local.following();
      if (!following || !sameEndpoint(following, a.leader)) {
        const info = await this.local.inspect();
        if (!info) return;
        this.log.warn('local redis is not following the leader; re-pointing it', { epoch: a.epoch, was: info.role });
        await this.local.follow(a.leader).catch((err: Error) => this.log.warn('re-pointing failed', { error: err.message }));
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

  private async apply(a: LeaderAssignment): Promise<AcceptResult> {
    const cur = this.current;
    if (cur && a.epoch < cur.epoch) {
      return { ok: false, status: 409, code: 'stale_epoch', message: `epoch ${a.epoch} is older than this slave's epoch ${cur.epoch}` };
    }
    if (cur && a.epoch === cur.epoch && (a.leaderId !== cur.leaderId || a.youAreLeader !== cur.youAreLeader)) {
      return { ok: false, status: 409, code: 'epoch_conflict', message: `epoch ${a.epoch} already has leader ${cur.leaderId}` };
    }
    const info = await this.local.inspect();
    if (!info) return { ok: false, status: 503, code: 'redis_down', message: 'the local redis is not reachable' };

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
      await this.local.follow(a.leader);
      this.promotedRunId = null;
    }

    if (!this.store || !sameEndpoint(this.store.endpoint, a.leader)) {
      const old = this.store;
      this.store = new LeaderStore(a.leader, this.storeOptions, this.log);
      void old?.close();
    }
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
