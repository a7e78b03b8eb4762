// Runs the key-value operations in the leader's Redis with the promise of a majority: a write is
// acknowledged, and a read answered, only once enough followers confirm (followerAcksNeeded of the
// voting clusters: README "Several LBs").
//
// Group commit: the operations that arrive while a batch is out form the next batch, which goes
// out as one pipeline on one connection: INFO replication, the operations, a beat (a write of
// nothing) and one WAIT. WAIT counts the writes of its own connection, which is why this
// connection carries nothing else (and why nothing is ever pipelined behind a WAIT: Redis would
// stall it for up to an event-loop pass).
//
// Why a read waits too: a deposed leader (its followers promised a newer epoch to an election it
// has not heard of) must not answer from its old data. The beat follows the reads in the leader's
// replication stream; a follower confirms it only if it still followed this leader after the
// reads, and a cluster that promised a newer epoch follows nobody (leadership.ts). So a majority
// that confirms the beat had not promised anything newer when the reads ran, and no newer leader
// can have been elected (it needs a majority of promises) before them.
import { followerAcksNeeded, type KvWriteResult, type Logger } from '@hscale/common';
import type { RedisConnection } from './redis-connection.js';
import { BEAT_KEY, FENCE_KEY } from './store/internal-keys.js';

export type WriteAck = 'replica' | 'leader';
export type Durability = KvWriteResult['durability'];

const LEADER_ONLY_LOG_MS = 10_000;

export class NotReplicatedError extends Error {
  readonly code = 'not_replicated';
}

interface Pending {
  command: string[];
  resolve: (v: { reply: unknown; durability: Durability }) => void;
  reject: (e: unknown) => void;
}

const connectedReplicas = (info: unknown) => Number(/connected_slaves:(\d+)/.exec(String(info))?.[1] ?? 0);

export class ReplicatedWriter {
  private queue: Pending[] = [];
  private flushing = false;
  /** Followers connected when the last batch went out: whether the next batch sends a WAIT. */
  private replicasSeen = 0;
  /** Operations acknowledged by the leader alone since the last warning about it, and when that was. */
  private leaderOnly = 0;
  private leaderOnlyLoggedAt = 0;

  /** The epoch this slave serves and the clusters that vote in it (its assignment says; leadership.ts sets them). */
  term = { epoch: 0, voters: 1 };

  constructor(
    private readonly client: RedisConnection,
    private readonly mode: WriteAck,
    private readonly waitTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  private get voters(): number {
    return this.term.voters;
  }

  /** Followers that must confirm each batch. */
  get acksNeeded(): number {
    return this.mode === 'replica' ? followerAcksNeeded(this.voters) : 0;
  }

  /** Runs one operation (an FCALL); resolves once a majority confirmed it (see above). */
  submit(command: string[]): Promise<{ reply: unknown; durability: Durability }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        await this.commit(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const needed = this.acksNeeded;
    // Issued in the same tick, so node-redis writes them as one pipeline with the WAIT last.
    const info = needed > 0 ? this.client.send(['INFO', 'replication']) : null;
    const ops = Promise.allSettled(batch.map((p) => this.client.send(p.command)));
    const beat = needed > 0 ? this.client.send(['FCALL', 'hs_beat', '2', FENCE_KEY, BEAT_KEY, String(this.term.epoch)]).then(() => true, () => false) : null;
    const waited = needed > 0 && this.replicasSeen >= needed ? this.sendWait(needed) : null;
    const results = await ops;
    // Always awaited, even when every operation failed: a WAIT left pending would hold up the next batch.
    const acked = waited ? await waited : 0;
    let durability: Durability = 'leader';
    let ackError: unknown;
    if (needed > 0) {
      try {
        this.replicasSeen = connectedReplicas(await info);
        if (!(await beat)) throw new NotReplicatedError('the leader refused to confirm this batch (it serves another epoch now)');
        if (results.some((r) => r.status === 'fulfilled')) durability = await this.durability(needed, acked, waited !== null, batch.length);
      } catch (err) {
        ackError = err;
      }
    }
    results.forEach((r, i) => {
      const p = batch[i]!;
      if (r.status === 'rejected') p.reject(r.reason);
      else if (ackError) p.reject(ackError);
      else p.resolve({ reply: r.value, durability });
    });
  }

  /** WAIT for `n` followers (never rejects: a failure counts as "no follower confirmed"). */
  private sendWait(n: number): Promise<number> {
    return this.client.send(['WAIT', String(n), String(this.waitTimeoutMs)]).then(Number, () => 0);
  }

  private async durability(needed: number, acked: number, waitSent: boolean, batchSize: number): Promise<Durability> {
    if (acked >= needed) return 'replica';
    if (this.replicasSeen >= needed && !waitSent) {
      // Followers connected since the last batch: wait for them now (WAIT covers every earlier write).
      if ((await this.sendWait(needed)) >= needed) return 'replica';
    }
    if (this.replicasSeen > 0) {
      // A follower may have just died: look again before refusing the acknowledgement.
      this.replicasSeen = connectedReplicas(await this.client.send(['INFO', 'replication']));
    }
    // Two voters and the follower gone: the weaker promise of a two-cluster fleet (README).
    if (this.voters === 2 && this.replicasSeen === 0) {
      // Every batch says so while it lasts: logged once per LEADER_ONLY_LOG_MS, with the count.
      this.leaderOnly += batchSize;
      if (Date.now() - this.leaderOnlyLoggedAt >= LEADER_ONLY_LOG_MS) {
        this.log.warn('acknowledged by the leader only: the other cluster of two is not connected', { operations: this.leaderOnly, sinceMs: LEADER_ONLY_LOG_MS });
        this.leaderOnly = 0;
        this.leaderOnlyLoggedAt = Date.now();
      }
      return 'leader';
    }
    throw new NotReplicatedError(`${needed} of the ${this.voters} clusters' followers did not confirm within ${this.waitTimeoutMs} ms (a majority must hold it)`);
  }
}
