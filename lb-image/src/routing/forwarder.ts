// Sends a key-value operation to a slave: round-robin over the slaves that are healthy and on the
// current epoch (batcher.ts gathers the operations bound for one slave), with retries that can
// never apply a write twice or late:
// - every attempt of one operation carries the same operation id, and the leader's Redis
//   remembers the ids it applied, so a retry never applies a write twice;
// - a write the LB gives up on is fenced (fencer.ts) before anything else is answered;
// - an answer that arrives after an election started is not used: the operation is tried again.
import { randomBytes } from 'node:crypto';
import { HttpError, type KvOp, type Logger } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import type { Member } from '../membership/membership.js';
import { BatchError, type Batcher, type OpResult } from './batcher.js';
import type { Fencer } from './fencer.js';
import { Admission } from '../admission.js';

export interface ForwarderOptions {
  requestTimeoutMs: number;
  leaderWaitMs: number;
}

/** An operation as a client asks for it (the forwarder adds the fence of each attempt). */
export type ClientOp =
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: string; ttl?: number; ifVersion?: number }
  | { op: 'del'; key: string; ifVersion?: number }
  | { op: 'incr'; key: string; by: string; ifVersion?: number }
  | { op: 'list'; prefix: string; cursor?: string; limit: number; versions?: boolean };

const MAX_ATTEMPTS = 4;
/** Connection errors after which the request certainly never reached the slave. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'NOT_SENT']);

export class Forwarder {
  private next = 0;
  private opCounter = 0;
  /** Operation ids are unique across LB restarts: a random prefix per LB process. */
  private readonly opPrefix = randomBytes(6).toString('base64url');
  retries = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly coordinator: Coordinator,
    private readonly fencer: Fencer,
    private readonly batcher: Batcher,
    private readonly opts: ForwarderOptions,
    private readonly log: Logger,
  ) {
    // An operation stuck on a cluster that just failed its probes is retried elsewhere at once.
    view.on('unhealthy', (id: string) => batcher.abort(id, `cluster ${id} became unhealthy`));
    view.on('removed', (id: string) => batcher.abort(id, `cluster ${id} left`));
    coordinator.on('era', () => batcher.abort(null, 'an election started'));
    coordinator.on('epoch', (epoch: number) => fencer.enterEpoch(epoch));
  }

  /** Slaves that may serve KV requests of `epoch` (none once the epoch has passed). */
  routable(epoch: number): Member[] {
    const leader = this.coordinator.leader;
    return leader?.epoch === epoch ? this.view.routable(epoch, leader.leaderId) : [];
  }

  /**
   * Refused at once (503, nothing sent) beyond these many operations, or bytes of values, in
   * progress: every one waits in a batch queue and holds its value in memory, so without a bound a
   * burst (or a stalled cluster under load) would grow them until the LB ran out of memory.
   */
  private readonly inFlight = new Admission({ maxJobs: 20_000, maxWeight: 256 * 1024 * 1024 });

  /**
   * @param idempotencyKey the client's Idempotency-Key: every request that carries it is one
   * operation (the leader remembers its result for 40 s or more), so a client may repeat a write
   * whose answer it did not get, through any LB, and it still applies once.
   */
  async forward(op: ClientOp, requestId: string, idempotencyKey?: string): Promise<OpResult> {
    const release = this.inFlight.tryAdmit(op.op === 'set' ? op.value.length + op.key.length : 64);
    if (!release) return overloaded(this.inFlight.inProgress.jobs, this.inFlight.inProgress.weight);
    try {
      return await this.forwardAdmitted(op, requestId, idempotencyKey);
    } finally {
      release();
    }
  }

  private async forwardAdmitted(op: ClientOp, requestId: string, idempotencyKey?: string): Promise<OpResult> {
    const write = op.op === 'set' || op.op === 'del' || op.op === 'incr';
    // A client's key names one operation on one key: the same Idempotency-Key sent for another key
    // or another kind of write is another operation (it cannot pick up someone else's answer).
    const opId = idempotencyKey && op.op !== 'get' && op.op !== 'list' ? `client:${JSON.stringify([op.op, op.key, idempotencyKey])}` : `${this.opPrefix}.${(this.opCounter++).toString(36)}`;
    const deadline = Date.now() + 2 * this.opts.requestTimeoutMs + this.opts.leaderWaitMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const avoid = new Set<string>(); // slaves that failed this operation themselves
    // An earlier attempt may have been applied: the leader looks it up first (with a client's
    // idempotency key, an earlier request of the client may have been).
    let retry = idempotencyKey !== undefined;
    let last: OpResult | Error | null = null;

    for (let attempts = 0; attempts < MAX_ATTEMPTS && remaining() > 0; ) {
      if (!this.coordinator.available && !(await this.coordinator.waitForLeader(Math.min(remaining(), this.opts.leaderWaitMs)))) break;
      // A retry goes out only once the earlier attempts are fenced: they can no longer land after it.
      if (retry && !(await this.fencer.settled(remaining()))) break;
      const epoch = this.coordinator.leader?.epoch;
      const member = epoch === undefined ? undefined : (this.pick(epoch, avoid) ?? (await this.waitForRoutable(epoch, avoid, remaining())));
      // Everything above may have waited: an election may have started meanwhile. The epoch and era
      // are read here, with no wait before the operation goes out, so an answer is used only if no
      // election started since this very moment.
      if (epoch === undefined || !this.coordinator.available || this.coordinator.leader?.epoch !== epoch) continue;
      if (!member) {
        last ??= new Error('no healthy cluster is on the current epoch');
        break;
      }
      const era = this.coordinator.era;
      if (attempts++ > 0) this.retries++;
      const generation = this.fencer.book.generationOf(member.id, epoch);
      const sent: KvOp = write ? { ...op, fence: { writer: this.fencer.wireName(member.id), generation, opId, ...(retry ? { retry } : {}) } } as KvOp : (op as KvOp);
      const sentAt = Date.now();
      let res: OpResult;
      try {
        res = await this.batcher.submit(member, epoch, sent, requestId);
      } catch (err) {
        // No answer: given up. A write may still be on its way to the leader's Redis, so it is
        // fenced (a new epoch fences it too) and looked up on retry.
        const e = err as BatchError;
        last = e;
        if (write && !NEVER_SENT.has(e.code ?? '')) {
          this.fencer.abandon(member.id, epoch, generation);
          retry = true;
        }
        if (this.coordinator.era === era && e.code !== 'NOT_SENT') {
          avoid.add(member.id);
          if (!e.givenUp) this.view.recordFailure(member);
          this.log.warn('cluster request failed', { requestId, cluster: member.id, error: e.message });
        }
        continue;
      }
      if (this.coordinator.era !== era) {
        // An answer from before an election started: not used (see above).
        last = new Error('an election started while the request was in flight');
        if (write) {
          this.fencer.abandon(member.id, epoch, generation);
          retry = true;
        }
        continue;
      }

      const answer = res.status >= 400 ? parseAnswer(res.body) : undefined;
      if (res.status < 400 || answer?.error === 'key_not_found') this.coordinator.leaderServed(Date.now());
      last = res;
      switch (answer?.error) {
        case 'fenced': // refused, not applied: this LB fenced that writer meanwhile (or a previous LB did)
          this.fencer.book.learnFloor(member.id, epoch, Number(answer.floor) || generation + 1);
          continue;
        case 'stale_epoch': // refused, not applied (the slave, or the leader's Redis, is on a newer epoch)
          this.coordinator.staleEpochSeen(member.id);
          if (this.coordinator.leader) this.coordinator.staleEpochSeen(this.coordinator.leader.leaderId);
          avoid.add(member.id);
          continue;
        case 'no_leader':
          avoid.add(member.id);
          continue;
        case 'not_replicated': // applied, not yet confirmed by a follower
          retry = true;
          continue;
        case 'leader_unavailable': // the slave gave up on the leader's Redis: the write may still land there
          this.coordinator.leaderUnreachable(sentAt);
          if (write) {
            this.fencer.abandon(member.id, epoch, generation);
            retry = true;
          }
          this.log.info('retrying: the leader did not answer the slave', { requestId, cluster: member.id });
          continue;
      }
      // A final answer. If it says something about the data, it waits until every write given up
      // before it arrived is fenced; an error answer (5xx) promises nothing and goes at once.
      if (res.status < 500 && !this.fencer.book.settled && !(await this.fencer.settled(remaining()))) break;
      return res;
    }
    if (last && !(last instanceof Error) && last.status >= 500) return last; // the slave's own 5xx, with its explanation
    const why = last instanceof Error ? `: ${last.message}` : last ? ` (last answer: ${last.status} ${parseAnswer(last.body)?.error ?? ''})` : ' (no leader)';
    throw new HttpError(503, 'unavailable', `no cluster could serve the request in time${why}; a write may or may not have been applied`, {
      'Retry-After': '1',
    });
  }

  private pick(epoch: number, exclude: Set<string>): Member | undefined {
    const list = this.routable(epoch).filter((m) => !exclude.has(m.id));
    if (list.length === 0) return undefined;
    return list[this.next++ % list.length];
  }

  /** Right after an election the slaves may still be connecting to the new leader: wait a little. */
  private async waitForRoutable(epoch: number, exclude: Set<string>, timeoutMs: number): Promise<Member | undefined> {
    const deadline = Date.now() + Math.min(timeoutMs, this.opts.leaderWaitMs);
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      if (this.coordinator.leader?.epoch !== epoch) return undefined;
      const m = this.pick(epoch, exclude);
      if (m) return m;
    }
    return undefined;
  }
}

function parseAnswer(body: Buffer): { error?: string; floor?: number } | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as { error?: string; floor?: number };
  } catch {
    return undefined;
  }
}

function overloaded(ops: number, bytes: number): OpResult {
  const message = `this LB has ${ops} operations (${Math.round(bytes / 1024)} KiB of values) in progress, the most it holds at once; try again shortly`;
  return { status: 503, body: Buffer.from(JSON.stringify({ error: 'overloaded', message })) };
}
