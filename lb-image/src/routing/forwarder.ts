// Sends a key-value request to a slave: round-robin over the slaves that are healthy and on the
// current epoch, with retries that can never apply a write twice or late:
// - every attempt of one request carries the same operation id, and the leader's Redis remembers
//   the ids it applied, so a retry never applies a write twice;
// - a write the LB gives up on is fenced (fencer.ts) before anything else is answered;
// - an answer that arrives after an election started is not used: the request is tried again.
import { randomBytes } from 'node:crypto';
import { EPOCH_HEADER, FENCE_FLOOR_HEADER, FENCE_HEADERS, HttpError, REQUEST_ID_HEADER, type Logger } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import type { Member } from '../membership/membership.js';
import type { Fencer } from './fencer.js';
import type { SlaveRequest, SlaveResponse } from './slave-pools.js';

export interface ForwarderOptions {
  requestTimeoutMs: number;
  leaderWaitMs: number;
}

export type ForwardRequest = Omit<SlaveRequest, 'timeoutMs' | 'signal'>;

const MAX_ATTEMPTS = 4;
/** Connection errors after which the request certainly never reached the slave. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** An answer, or an error; `givenUp` when this LB aborted the attempt (the cluster failed, or an election started). */
type Attempt = { res: SlaveResponse } | { err: Error; givenUp: boolean };

export class Forwarder {
  private next = 0;
  private opCounter = 0;
  /** Operation ids are unique across LB restarts: a random prefix per LB process. */
  private readonly opPrefix = randomBytes(6).toString('base64url');
  retries = 0;
  /** Requests in flight per member, so they can be given up when that member fails or an election starts. */
  private readonly running = new Map<string, Set<AbortController>>();

  constructor(
    private readonly view: ClusterView,
    private readonly coordinator: Coordinator,
    private readonly fencer: Fencer,
    private readonly opts: ForwarderOptions,
    private readonly log: Logger,
  ) {
    const abortOn = (id: string, why: string) => {
      for (const c of this.running.get(id) ?? []) c.abort(new Error(why));
    };
    // A request stuck on a cluster that just failed its probes is retried elsewhere at once.
    view.on('unhealthy', (id: string) => abortOn(id, `cluster ${id} became unhealthy`));
    view.on('removed', (id: string) => abortOn(id, `cluster ${id} left`));
    coordinator.on('era', () => {
      for (const id of this.running.keys()) abortOn(id, 'an election started');
    });
    coordinator.on('epoch', (epoch: number) => fencer.enterEpoch(epoch));
  }

  /** Slaves that may serve KV requests of `epoch` (none once the epoch has passed). */
  routable(epoch: number): Member[] {
    const leader = this.coordinator.leader;
    return leader?.epoch === epoch ? this.view.routable(epoch, leader.leaderId) : [];
  }

  async forward(req: ForwardRequest, requestId: string): Promise<SlaveResponse> {
    const write = req.method !== 'GET';
    const opId = `${this.opPrefix}.${(this.opCounter++).toString(36)}`;
    const deadline = Date.now() + 2 * this.opts.requestTimeoutMs + this.opts.leaderWaitMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const avoid = new Set<string>(); // slaves that failed this request themselves
    let retry = false; // an earlier attempt may have been applied: the leader looks it up first
    let last: SlaveResponse | Error | null = null;

    for (let attempts = 0; attempts < MAX_ATTEMPTS && remaining() > 0; ) {
      if (!(await this.coordinator.waitForLeader(Math.min(remaining(), this.opts.leaderWaitMs)))) break;
      // A retry goes out only once the earlier attempts are fenced: they can no longer land after it.
      if (retry && !(await this.fencer.settled(remaining()))) break;
      const epoch = this.coordinator.leader?.epoch;
      const member = epoch === undefined ? undefined : (this.pick(epoch, avoid) ?? (await this.waitForRoutable(epoch, avoid, remaining())));
      // Everything above may have waited: an election may have started meanwhile. The epoch and era
      // are read here, with no wait before the request goes out, so an answer is used only if no
      // election started since this very moment.
      if (epoch === undefined || !this.coordinator.available || this.coordinator.leader?.epoch !== epoch) continue;
      if (!member) {
        last ??= new Error('no healthy cluster is on the current epoch');
        break;
      }
      const era = this.coordinator.era;
      if (attempts++ > 0) this.retries++;
      const generation = this.fencer.book.generationOf(member.id, epoch);
      const headers: Record<string, string> = { ...req.headers, [EPOCH_HEADER]: String(epoch), [REQUEST_ID_HEADER]: requestId };
      if (write) {
        Object.assign(headers, { [FENCE_HEADERS.writer]: member.id, [FENCE_HEADERS.generation]: String(generation), [FENCE_HEADERS.opId]: opId });
        if (retry) headers[FENCE_HEADERS.retry] = '1';
      }
      const sentAt = Date.now();
      const outcome = await this.send(member, { ...req, headers });

      if ('err' in outcome || this.coordinator.era !== era) {
        // No answer, or one from before an election started: given up. A write may still be on its
        // way to the leader's Redis, so it is fenced (a new epoch fences it too) and looked up on retry.
        last = 'err' in outcome ? outcome.err : new Error('an election started while the request was in flight');
        if (write && !('err' in outcome && NEVER_SENT.has(errorCode(outcome.err)))) {
          this.fencer.abandon(member.id, epoch, generation);
          retry = true;
        }
        if ('err' in outcome && this.coordinator.era === era) {
          avoid.add(member.id);
          if (!outcome.givenUp) this.view.recordFailure(member);
          this.log.warn('cluster request failed', { requestId, cluster: member.id, error: outcome.err.message });
        }
        continue;
      }

      const res = outcome.res;
      const code = res.status >= 400 ? answerCode(res) : undefined;
      if (res.status < 400 || code === 'key_not_found') this.coordinator.leaderServed(Date.now());
      last = res;
      switch (code) {
        case 'fenced': // refused, not applied: this LB fenced that writer meanwhile (or a previous LB did)
          this.fencer.book.learnFloor(member.id, epoch, Number(res.headers[FENCE_FLOOR_HEADER]) || generation + 1);
          continue;
        case 'stale_epoch': // refused, not applied
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
      if (res.status < 500 && !(await this.fencer.settled(remaining()))) break;
      return res;
    }
    if (last && !(last instanceof Error) && last.status >= 500) return last; // the slave's own 5xx, with its explanation
    const why = last instanceof Error ? `: ${last.message}` : last ? ` (last answer: ${last.status} ${answerCode(last) ?? ''})` : ' (no leader)';
    throw new HttpError(503, 'unavailable', `no cluster could serve the request in time${why}; a write may or may not have been applied`, {
      'Retry-After': '1',
    });
  }

  private async send(member: Member, req: ForwardRequest): Promise<Attempt> {
    const ctrl = new AbortController();
    const mine = this.running.get(member.id) ?? new Set();
    this.running.set(member.id, mine.add(ctrl));
    try {
      return { res: await this.view.send(member, { ...req, timeoutMs: this.opts.requestTimeoutMs, signal: ctrl.signal }) };
    } catch (err) {
      return { err: err as Error, givenUp: ctrl.signal.aborted };
    } finally {
      mine.delete(ctrl);
      if (mine.size === 0) this.running.delete(member.id);
    }
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

function errorCode(err: Error): string {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code ?? '';
}

function answerCode(res: SlaveResponse): string | undefined {
  try {
    return (JSON.parse(res.body.toString('utf8')) as { error?: string }).error;
  } catch {
    return undefined;
  }
}
