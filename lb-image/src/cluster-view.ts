// The LB's live view of the clusters: the membership table plus the I/O around it (pools, probes).
// Everything that needs to talk to a slave goes through here.
import { get as httpGet, type IncomingMessage } from 'node:http';
import { EventEmitter } from 'node:events';
import { Resolver } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { LB_HEADER, type Logger, type SlaveHealth } from '@hscale/common';
import { memberId, MembershipTable, type Endpoint, type Member, type Source } from './membership/membership.js';
import type { LoopStalls } from './health/loop-stalls.js';
import { parseSlaveHealth } from './health/slave-health.js';
import { SlavePools, type SlaveRequest, type SlaveResponse } from './routing/slave-pools.js';

export type ProbeOutcome =
  | { ok: true; health: SlaveHealth }
  /** health: what the slave answered, if it answered at all. */
  | { ok: false; health: SlaveHealth | null }
  /** This LB itself stalled while the probe was out (its timeout fired late): the probe says nothing. */
  | { ok: false; stalled: true; health: null };


/** Emits 'unhealthy' (id) when a member crosses the failure threshold, and 'removed' (id). */
// A reverse lookup that gives up quickly: it only labels the dashboard.
const reverseResolver = new Resolver({ timeout: 1000, tries: 1 });

export class ClusterView extends EventEmitter {
  readonly table: MembershipTable;
  readonly pools = new SlavePools();
  /** When each member last answered real traffic: proof of health that costs no probe. */
  private readonly servedAt = new Map<string, number>();

  constructor(
    private readonly opts: { failureThreshold: number; probeTimeoutMs: number; clusterSecret: string; lbName: string },
    private readonly log: Logger,
    private readonly stalls?: LoopStalls,
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

  /** A member answered a key-value batch. */
  served(id: string, at = Date.now()): void {
    this.servedAt.set(id, at);
  }

  lastServed(id: string): number {
    return this.servedAt.get(id) ?? 0;
  }

  /** Every request to a slave carries the cluster secret: a slave answers nobody else (but /health). */
  send(m: Member, req: SlaveRequest): Promise<SlaveResponse> {
    const headers = { ...req.headers, authorization: `Bearer ${this.opts.clusterSecret}`, [LB_HEADER]: this.opts.lbName };
    return this.pools.request(m.id, `http://${m.address}:${m.port}`, { ...req, headers });
  }

  /** GET `path` from a slave as a stream (the change feed, watch-route.ts): the body is not buffered. */
  openStream(m: Member, path: string, signal: AbortSignal): Promise<IncomingMessage> {
    const headers = { authorization: `Bearer ${this.opts.clusterSecret}`, [LB_HEADER]: this.opts.lbName, accept: 'text/event-stream' };
    return new Promise((resolve, reject) => {
      const req = httpGet({ host: m.address, port: m.port, path, headers, signal, agent: false }, resolve);
      req.on('error', reject);
    });
  }

  /**
   * Slaves that may serve key-value requests of `epoch` led by `leaderId`: healthy, on that epoch,
   * connected to its leader, and not claiming to lead it themselves unless they do.
   */
  routable(epoch: number, leaderId: string): Member[] {
    return this.table
      .list()
      .filter((m) => m.healthy && m.failures === 0 && m.health?.epoch === epoch && m.health.leaderReachable && (m.health.role === 'leader') === (m.id === leaderId));
  }

  /** Probe every member once, in parallel; updates health and failure counts. */
  async probeAll(opts: { onlyHealthy?: boolean; except?: string } = {}): Promise<void> {
    const members = this.table.list().filter((m) => (!opts.onlyHealthy || m.healthy) && m.id !== opts.except);
    await Promise.all(members.map((m) => this.probe(m)));
  }

  /** GET /health of one member; records the outcome in the table. */
  async probe(m: Member): Promise<ProbeOutcome> {
    let health: SlaveHealth | null = null;
    const sentAt = Date.now();
    try {
      const res = await this.send(m, { method: 'GET', path: '/health', timeoutMs: this.opts.probeTimeoutMs, lane: 'probe' });
      const h = parseSlaveHealth(res.body.toString('utf8'));
      health = h;
      if (!h) {
        if (res.status === 200) this.log.warn('a cluster answered its health probe with something that is not a valid health report', { id: m.id });
      } else if (res.status === 200 && h.redis.up) {
        const wasHealthy = m.healthy;
        this.table.recordSuccess(m.id, h);
        if (!wasHealthy) {
          this.log.info('cluster healthy', { id: m.id, name: h.name, epoch: h.epoch });
          this.emit('healthy', m.id, h.name);
        }
        return { ok: true, health: h };
      } else {
        m.health = h;
      }
    } catch {
      if (this.stalls?.stalledSince(sentAt)) return { ok: false, stalled: true, health: null };
    }
    this.recordFailure(m);
    return { ok: false, health };
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
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs,
    });
  }

  /**
   * Docker's DNS answers a reverse lookup of a container's address with "<container>.<network>":
   * the name a person knows it by (compose v1 and v2 name containers differently). Once per member.
   */
  private async nameOf(id: string): Promise<void> {
    const m = this.table.get(id);
    if (!m || !isIPv4(m.address)) return;
    const names = await reverseResolver.reverse(m.address).catch(() => [] as string[]);
    if (names[0]) m.dnsName = names[0].replace(/\.$/, '');
  }

  private afterChange(source: Source, added: string[], removed: string[]): void {
    for (const id of removed) {
      this.pools.remove(id);
      this.servedAt.delete(id);
      this.emit('removed', id, source);
    }
    for (const id of added) {
      this.emit('added', id, source);
      if (source === 'dns') void this.nameOf(id); // a static or signed-up member has its own name
    }
    if (added.length || removed.length) this.log.info('membership changed', { source, added, removed, total: this.table.list().length });
  }
}
