// The LB's table of clusters, fed by three sources: DNS (every A record of a name), a static list
// from the settings, and sign-ups. No I/O here: callers feed it observations and act on what it
// returns (for example, closing the connection pool of a removed member).
import type { SlaveHealth } from '@hscale/common';

export type Source = 'dns' | 'static' | 'registered';
/** The source shown in /servers when a member is known from several. */
const SOURCE_PRIORITY: Source[] = ['static', 'dns', 'registered'];

export interface Member {
  id: string;
  address: string;
  port: number;
  name: string | null;
  sources: Set<Source>;
  /** For sign-ups: when the registration lapses unless renewed (ms since the epoch). */
  registeredUntil: number | null;
  /** Consecutive failures of probes and of real requests; reset by a success. */
  failures: number;
  healthy: boolean;
  /** Whether a probe has finished (with either outcome) since the member appeared. */
  probed: boolean;
  health: SlaveHealth | null;
  /** What reverse DNS calls its address (Docker's DNS: the container's name), when it says. */
  dnsName?: string;
}

export interface Endpoint {
  address: string;
  port: number;
  name?: string | null;
}

export const memberId = (e: Endpoint): string => `${e.address}:${e.port}`;

export class MembershipTable {
  private readonly members = new Map<string, Member>();
  private sorted: Member[] | null = null;

  constructor(private readonly failureThreshold: number) {}

  get(id: string): Member | undefined {
    return this.members.get(id);
  }

  /** Every member, by id. The same array until a member comes or goes (this runs for every request). */
  list(): readonly Member[] {
    this.sorted ??= [...this.members.values()].sort((a, b) => a.id.localeCompare(b.id));
    return this.sorted;
  }

  /**
   * A full observation of one source (DNS answer, static list): members of that source that are
   * not in `found` lose it; a member with no source left is removed. Returns ids added and removed.
   */
  replaceSource(source: Exclude<Source, 'registered'>, found: Endpoint[]): { added: string[]; removed: string[] } {
    const added: string[] = [];
    const seen = new Set<string>();
    for (const e of found) {
      const id = memberId(e);
      seen.add(id);
      if (this.upsert(e, source)) added.push(id);
    }
    const removed: string[] = [];
    for (const m of this.members.values()) {
      if (m.sources.has(source) && !seen.has(m.id)) {
        m.sources.delete(source);
        if (m.sources.size === 0) removed.push(m.id);
      }
    }
    for (const id of removed) this.members.delete(id);
    if (added.length || removed.length) this.sorted = null;
    return { added, removed };
  }

  /** A sign-up (or its renewal). Returns true if the member is new. */
  register(e: Endpoint, now: number, ttlMs: number): boolean {
    const isNew = this.upsert(e, 'registered');
    this.members.get(memberId(e))!.registeredUntil = now + ttlMs;
    return isNew;
  }

  /** Registrations that lapsed and whose server also fails its probes leave. Returns removed ids. */
  expireRegistrations(now: number): string[] {
    const removed: string[] = [];
    for (const m of this.members.values()) {
      if (m.sources.has('registered') && m.registeredUntil !== null && m.registeredUntil < now && !m.healthy) {
        m.sources.delete('registered');
        m.registeredUntil = null;
        if (m.sources.size === 0) removed.push(m.id);
      }
    }
    for (const id of removed) this.members.delete(id);
    if (removed.length) this.sorted = null;
    return removed;
  }

  /** Record a probe or request outcome; a member is unhealthy after `failureThreshold` failures in a row. */
  recordSuccess(id: string, health?: SlaveHealth): void {
    const m = this.members.get(id);
    if (!m) return;
    m.failures = 0;
    m.healthy = true;
    m.probed = true;
    if (health) {
      m.health = health;
      m.name = health.name;
    }
  }

  recordFailure(id: string): void {
    const m = this.members.get(id);
    if (!m) return;
    m.failures += 1;
    m.probed = true;
    if (m.failures >= this.failureThreshold) m.healthy = false;
  }

  static displaySource(m: Member): Source {
    return SOURCE_PRIORITY.find((s) => m.sources.has(s)) ?? 'registered';
  }

  private upsert(e: Endpoint, source: Source): boolean {
    const id = memberId(e);
    const existing = this.members.get(id);
    if (existing) {
      existing.sources.add(source);
      if (e.name) existing.name = e.name;
      return false;
    }
    this.sorted = null;
    this.members.set(id, {
      id,
      address: e.address,
      port: e.port,
      name: e.name ?? null,
      sources: new Set([source]),
      registeredUntil: null,
      failures: 0,
      // Unhealthy (and not routable) until a probe succeeds.
      healthy: false,
      probed: false,
      health: null,
    });
    return true;
  }
}
