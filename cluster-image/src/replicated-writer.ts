// Writes to the leader's Redis, acknowledged only once a follower holds them (WRITE_ACK=replica).
//
// Two properties of WAIT shape this class:
//  1. WAIT counts the writes of its own connection. So writes and their WAIT must share one
//     dedicated connection; a WAIT on another (pooled) connection would return at once and
//     acknowledge nothing.
//  2. A WAIT blocks its connection, and commands pipelined behind it can stall until Redis's next
//     event-loop pass (up to 100 ms at the default hz 10; bench/write-ack.ts shows it in the p99).
//     So nothing is ever queued behind a WAIT: writes are group-committed. A batch's writes and
//     its one WAIT go out together in one pipeline, WAIT last; every write that arrives meanwhile
//     joins the next batch, which is sent only after the WAIT answered.
import type { KvWriteResult, Logger } from '@hscale/common';
import type { RedisClient } from './local-redis.js';

export type WriteAck = 'replica' | 'leader';

export class NotReplicatedError extends Error {
  readonly code = 'not_replicated';
}

interface Pending<T> {
  op: (client: RedisClient) => Promise<T>;
  resolve: (v: { result: T; durability: KvWriteResult['durability'] }) => void;
  reject: (e: unknown) => void;
}

export class ReplicatedWriter {
  private queue: Pending<unknown>[] = [];
  private flushing = false;
  private replicasSeen = 0;
  private replicasCheckedAt = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly mode: WriteAck,
    private readonly waitTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  submit<T>(op: (client: RedisClient) => Promise<T>): Promise<{ result: T; durability: KvWriteResult['durability'] }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject } as Pending<unknown>);
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const mustWait = this.mode === 'replica' && (await this.connectedReplicas().catch(() => 1)) > 0;
        const batch = this.queue;
        this.queue = [];
        // Issued in the same tick, so node-redis writes them as one pipeline with the WAIT last.
        const writes = Promise.allSettled(batch.map((p) => p.op(this.client)));
        const wait = mustWait ? this.sendWait() : null;
        const results = await writes;
        let durability: KvWriteResult['durability'] = 'leader';
        let ackError: unknown;
        if (results.some((r) => r.status === 'fulfilled')) {
          try {
            durability = wait ? await this.checkAck(await wait, batch.length) : this.leaderOnly(batch.length, 'no follower is connected');
          } catch (err) {
            ackError = err;
          }
        }
        results.forEach((r, i) => {
          const p = batch[i]!;
          if (r.status === 'rejected') p.reject(r.reason);
          else if (ackError) p.reject(ackError);
          else p.resolve({ result: r.value, durability });
        });
      }
    } finally {
      this.flushing = false;
    }
  }

  /** WAIT for one follower (a promise that never rejects: a failure counts as "no follower confirmed"). */
  private sendWait(): Promise<number> {
    return this.client.sendCommand(['WAIT', '1', String(this.waitTimeoutMs)]).then(Number, () => 0);
  }

  /** With no follower confirming: refuse the acknowledgement, unless no follower is connected at all. */
  private async checkAck(acked: number, batchSize: number): Promise<KvWriteResult['durability']> {
    if (acked >= 1) return 'replica';
    // The follower may have just died: look again before refusing the acknowledgement.
    this.replicasCheckedAt = 0;
    if ((await this.connectedReplicas()) === 0) return this.leaderOnly(batchSize, 'the last follower disconnected');
    throw new NotReplicatedError(`no follower confirmed the write within ${this.waitTimeoutMs} ms`);
  }

  private leaderOnly(batchSize: number, why: string): KvWriteResult['durability'] {
    if (this.mode === 'replica') this.log.warn(`write acknowledged by the leader only: ${why}`, { batchSize });
    return 'leader';
  }

  /** Followers connected to the leader, from INFO (cached briefly: this runs once per batch). */
  private async connectedReplicas(): Promise<number> {
    const now = Date.now();
    if (now - this.replicasCheckedAt > 500) {
      const info = String(await this.client.sendCommand(['INFO', 'replication']));
      this.replicasSeen = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
      this.replicasCheckedAt = now;
    }
    return this.replicasSeen;
  }
}
