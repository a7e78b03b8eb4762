// The LB's live view of the clusters: the membership table plus the I/O around it (pools, probes).
// Everything that needs to talk to a slave goes through here.
import { EventEmitter } from 'node:events';
import { type Logger, type SlaveHealth } from '@hscale/common';
import { memberId, MembershipTable, type Endpoint, type Member, type Source } from './membership/membership.js';
import { SlavePools, type SlaveRequest, type SlaveResponse } from './routing/slave-pools.js';

/** Emits 'unhealthy' (id) when a member crosses the failure threshold, and 'removed' (id). */
export class ClusterView extends EventEmitter {
  readonly table: MembershipTable;
  readonly pools = new SlavePools();

  constructor(
    private readonly opts: { failureThreshold: number; probeTimeoutMs: number; clusterSecret: string },
    private readonly log: Logger,
  ) {
    super();
    this.setMaxListeners(0);
    this.table = new MembershipTable(opts.failureThreshold);
  }

  replaceSource(source: Exclude<Source, 'registered'>, found: Endpoint[]): void {
    const { added, removed } = this.table.replaceSource(source, found);
    this.afterChange(source, added, removed);
  }

  register(e: Endpoint, ttlMs: number): boolean {
    const isNew = this.table.register(e, Date.now(), ttlMs);
    if (isNew) this.afterChange('registered', [memberId(e)], []);
    return isNew;
  }

  expireRegistrations(): void {
    this.afterChange('registered', [], this.table.expireRegistrations(Date.now()));
  }

  send(m: Member, req: SlaveRequest): Promise<SlaveResponse> {
    return this.pools.request(m.id, `http://${m.address}:${m.port}`, req);
  }

  /** Probe every member once, in parallel; updates health and failure counts. */
  async probeAll(opts: { onlyHealthy?: boolean } = {}): Promise<void> {
    await Promise.all(this.table.list().filter((m) => !opts.onlyHealthy || m.healthy).map((m) => this.probe(m)));
  }

  private async probe(m: Member): Promise<void> {
    try {
      const res = await this.send(m, { method: 'GET', path: '/health', timeoutMs: this.opts.probeTimeoutMs });
      const health = JSON.parse(res.body.toString('utf8')) as SlaveHealth;
      if (res.status === 200 && health.redis?.up) {
        const wasHealthy = m.healthy;
        this.table.recordSuccess(m.id, health);
        if (!wasHealthy) this.log.info('cluster healthy', { id: m.id, name: health.name, epoch: health.epoch });
        return;
      }
      m.health = health;
    } catch {
      // unreachable or timed out: counted below
    }
    this.recordFailure(m);
  }

  recordFailure(m: Member): void {
    const wasHealthy = m.healthy;
    this.table.recordFailure(m.id);
    if (wasHealthy && !m.healthy) {
      this.log.warn('cluster unhealthy', { id: m.id, failures: m.failures });
      this.emit('unhealthy', m.id);
    }
  }

  /** PUT /internal/leader on one slave. */
  assign(m: Member, body: object, timeoutMs: number): Promise<SlaveResponse> {
    return this.send(m, {
      method: 'PUT',
      path: '/internal/leader',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.clusterSecret}` },
      body: JSON.stringify(body),
      timeoutMs,
    });
  }

  private afterChange(source: Source, added: string[], removed: string[]): void {
    for (const id of removed) {
      this.pools.remove(id);
      this.emit('removed', id);
    }
    if (added.length || removed.length) this.log.info('membership changed', { source, added, removed, total: this.table.list().length });
  }
}
