// Writes to the leader's Redis with WRITE_ACK's promise. Group commit: the writes that arrive
// while a batch is out form the next batch, which goes out as one pipeline on one connection:
// INFO replication first, then the writes, then one WAIT. WAIT counts the writes of its own
// connection, which is why this connection carries nothing else (and why nothing is ever
// pipelined behind a WAIT: Redis would stall it for up to an event-loop pass).
import type { KvWriteResult, Logger } from '@hscale/common';
import type { RedisConnection } from './redis-connection.js';

export type WriteAck = 'replica' | 'leader';

export class NotReplicatedError extends Error {
  readonly code = 'not_replicated';
}

interface Pending {
  command: string[];
  resolve: (v: { reply: unknown; durability: KvWriteResult['durability'] }) => void;
  reject: (e: unknown) => void;
}

const connectedReplicas = (info: unknown) => Number(/connected_slaves:(\d+)/.exec(String(info))?.[1] ?? 0);

export class ReplicatedWriter {
  private queue: Pending[] = [];
  private flushing = false;
  /** Followers connected when the last batch went out: whether the next batch sends a WAIT. */
  private replicasSeen = 0;

  constructor(
    private readonly client: RedisConnection,
    private readonly mode: WriteAck,
    private readonly waitTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Runs one write command (an FCALL); resolves once WRITE_ACK's promise holds. */
  submit(command: string[]): Promise<{ reply: unknown; durability: KvWriteResult['durability'] }> {
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
    const replica = this.mode === 'replica';
    // Issued in the same tick, so node-redis writes them as one pipeline with the WAIT last.
    const info = replica ? this.client.send(['INFO', 'replication']) : null;
    const writes = Promise.allSettled(batch.map((p) => this.client.send(p.command)));
    const waited = replica && this.replicasSeen > 0 ? this.sendWait() : null;
    const results = await writes;
    // Always awaited, even when every write failed: a WAIT left pending would hold up the next batch.
    const acked = waited ? await waited : 0;
    let durability: KvWriteResult['durability'] = 'leader';
    let ackError: unknown;
    if (replica) {
      try {
        this.replicasSeen = connectedReplicas(await info);
        if (results.some((r) => r.status === 'fulfilled')) durability = await this.durability(acked, waited !== null, batch.length);
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

  /** WAIT for one follower (never rejects: a failure counts as "no follower confirmed"). */
  private sendWait(): Promise<number> {
    return this.client.send(['WAIT', '1', String(this.waitTimeoutMs)]).then(Number, () => 0);
  }

  private async durability(acked: number, waitSent: boolean, batchSize: number): Promise<KvWriteResult['durability']> {
    if (acked >= 1) return 'replica';
    if (this.replicasSeen > 0 && !waitSent) {
      // A follower connected since the last batch: wait for it now (WAIT covers every earlier write).
      if ((await this.sendWait()) >= 1) return 'replica';
    }
    if (this.replicasSeen > 0) {
      // The follower may have just died: look again before refusing the acknowledgement.
      this.replicasSeen = connectedReplicas(await this.client.send(['INFO', 'replication']));
    }
    if (this.replicasSeen === 0) {
      this.log.warn('write acknowledged by the leader only: no follower is connected', { batchSize });
      return 'leader';
    }
    throw new NotReplicatedError(`no follower confirmed the write within ${this.waitTimeoutMs} ms`);
  }
}
