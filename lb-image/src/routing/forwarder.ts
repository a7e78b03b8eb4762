// Sends a key-value request to a slave: round-robin over the slaves that are healthy and on the
// current epoch, one retry (every KV operation is idempotent) on another slave when the slave
// failed, or after the election when the leader failed; passive failure counting.
import { EPOCH_HEADER, HttpError, REQUEST_ID_HEADER, type Logger } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import type { Member } from '../membership/membership.js';
import type { InflightTracker } from './inflight.js';
import type { SlaveRequest, SlaveResponse } from './slave-pools.js';

export interface ForwarderOptions {
  requestTimeoutMs: number;
  leaderWaitMs: number;
}

/** Answers of a slave that mean "try again", not "this is the answer". */
const RETRYABLE_CODES = new Set(['leader_unavailable', 'no_leader', 'not_replicated', 'stale_epoch']);
/** Of those, the ones about the leader, not about the slave: after the election that slave is as good as any. */
const LEADER_PROBLEMS = new Set(['leader_unavailable', 'no_leader', 'not_replicated']);

export class Forwarder {
  private next = 0;
  retries = 0;
  /** Requests in flight per member, so they can be cut short when that member is declared unhealthy. */
  private readonly running = new Map<string, Set<AbortController>>();

  constructor(
    private readonly view: ClusterView,
    private readonly coordinator: Coordinator,
    private readonly inflight: InflightTracker,
    private readonly opts: ForwarderOptions,
    private readonly log: Logger,
  ) {
    // A request stuck on a cluster that just failed its probes is retried elsewhere at once,
    // instead of waiting for its own timeout (and holding up an election's drain).
    const abortAll = (id: string) => {
      for (const c of this.running.get(id) ?? []) c.abort(new Error(`cluster ${id} became unhealthy`));
    };
    view.on('unhealthy', abortAll);
    view.on('removed', abortAll);
  }

  /** Slaves that may serve KV requests now. */
  routable(): Member[] {
    const epoch = this.coordinator.leader?.epoch;
    return this.view.table.list().filter((m) => m.healthy && m.failures === 0 && m.health?.epoch === epoch && m.health?.leaderReachable === true);
  }

  async forward(req: Omit<SlaveRequest, 'timeoutMs'>, requestId: string): Promise<SlaveResponse> {
    const avoid = new Set<string>(); // slaves that failed this request themselves
    let last: SlaveResponse | Error | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!(await this.coordinator.waitForLeader(this.opts.leaderWaitMs))) break;
      const epoch = this.coordinator.leader!.epoch;
      const member = this.pick(avoid) ?? (await this.waitForRoutable(avoid));
      if (!member) {
        last = last ?? new Error('no healthy cluster is on the current epoch');
        break;
      }
      if (attempt > 0) this.retries++;
      const ctrl = new AbortController();
      const mine = this.running.get(member.id) ?? new Set();
      this.running.set(member.id, mine.add(ctrl));
      try {
        const res = await this.inflight.track(() =>
          this.view.send(member, {
            ...req,
            headers: { ...req.headers, [EPOCH_HEADER]: String(epoch), [REQUEST_ID_HEADER]: requestId },
            timeoutMs: this.opts.requestTimeoutMs,
            signal: ctrl.signal,
          }),
        );
        const code = res.status >= 409 ? errorCode(res) : undefined;
        if (!code || !RETRYABLE_CODES.has(code)) return res;
        last = res;
        if (!LEADER_PROBLEMS.has(code)) avoid.add(member.id);
        if (code === 'leader_unavailable') this.coordinator.reportLeaderFailure();
        if (code === 'leader_unavailable' || code === 'no_leader') await this.waitForNewEpoch(epoch);
        this.log.info('retrying on another cluster', { requestId, cluster: member.id, code });
      } catch (err) {
        last = err as Error;
        avoid.add(member.id);
        if (!ctrl.signal.aborted) this.view.recordFailure(member);
        this.log.warn('cluster request failed', { requestId, cluster: member.id, error: (err as Error).message });
      } finally {
        mine.delete(ctrl);
      }
    }
    if (last && !(last instanceof Error)) return last; // the slave's own 503, with its explanation
    throw new HttpError(503, 'unavailable', `no cluster could serve the request${last ? `: ${last.message}` : ' (no leader)'}`, { 'Retry-After': '1' });
  }

  private pick(exclude: Set<string>): Member | undefined {
    const list = this.routable().filter((m) => !exclude.has(m.id));
    if (list.length === 0) return undefined;
    return list[this.next++ % list.length];
  }

  /** Right after an election the slaves may still be connecting to the new leader: wait a little. */
  private async waitForRoutable(exclude: Set<string>): Promise<Member | undefined> {
    const deadline = Date.now() + this.opts.leaderWaitMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      const m = this.pick(exclude);
      if (m) return m;
    }
    return undefined;
  }

  /** After the leader failed: give the election a moment to produce a newer epoch. */
  private async waitForNewEpoch(epoch: number): Promise<void> {
    const deadline = Date.now() + this.opts.leaderWaitMs;
    while (Date.now() < deadline && (this.coordinator.leader?.epoch ?? 0) <= epoch) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function errorCode(res: SlaveResponse): string | undefined {
  try {
    return (JSON.parse(res.body.toString('utf8')) as { error?: string }).error;
  } catch {
    return undefined;
  }
}
