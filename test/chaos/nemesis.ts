// The faults of a chaos run, injected into the project's own containers, one at a time: freezes
// (whole container, only the slave, only redis-server), kills (of each process, of the container),
// a network cut, LB faults (restart, kill, pause, and an LB cut off from the leader alone) and
// bursts of malformed requests.
import { performance } from 'node:perf_hooks';
import { containers, docker, run, type Container } from '../helpers/docker.ts';
import type { MalformedAnswer } from './checker.ts';
import type { Random } from './workload.ts';

export const FAULT_KINDS = [
  'pause-leader', // docker pause of the leader's container
  'pause-follower', // docker pause of a follower's container
  'stop-slave', // SIGSTOP of only the slave process of a cluster (then SIGCONT)
  'stop-redis', // SIGSTOP of only the redis-server of a cluster (then SIGCONT)
  'kill-slave', // kill -9 of a slave process (supervisord restarts it)
  'kill-redis', // kill -9 of a redis-server (supervisord restarts it, empty)
  'kill-container', // docker kill of a cluster, started again after a while
  'disconnect', // docker network disconnect of a cluster, connected again after a while
  'restart-lb', // docker kill of an LB, started again at once
  'kill-lb', // docker kill of an LB, started again after a while
  'pause-lb', // docker pause of an LB
  'cut-lb', // an LB cut off from the leader's container alone (a firewall rule in the LB's network namespace)
  'malformed', // a burst of malformed requests
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  /** Which role the target had when the fault began. */
  role: 'leader' | 'follower' | 'lb' | '-';
  heldMs: number;
  /** From the heal to a system with a leader and every cluster healthy again (null: not within the limit). */
  recoveredMs: number | null;
  /** When the fault began and when the system had recovered (performance.now()). */
  startAt: number;
  endAt: number;
  /** The fleet's epoch before the fault and after the recovery: the elections it caused. */
  epochBefore: number;
  epochAfter: number;
}

/** Requests that must each get a 4xx, whatever state the system is in. */
const MALFORMED: [string, RequestInit?][] = [
  ['/keys/%ZZbad'],
  [`/keys/${'k'.repeat(600)}`],
  ['/keys/a%00b', { method: 'PUT', body: 'v' }],
  ['/keys/a%0Ab'],
  ['/keys?cursor=99999999999999999999-0'],
  ['/keys?cursor=not*base64'],
  ['/keys?limit=0'],
  ['/keys?limit=abc'],
  ['/keys?prefix=a&prefix=b'],
  ['/keys/x?ttl=-1', { method: 'PUT', body: 'v' }],
  ['/keys/x?ttl=1.5', { method: 'PUT', body: 'v' }],
  ['/keys/x', { method: 'PUT', body: Buffer.from([0xff, 0xfe]) }],
  ['/keys/x', { method: 'PATCH', body: 'v' }],
  ['/keys/', { method: 'PUT', body: 'v' }],
  ['/keys/big', { method: 'PUT', body: Buffer.alloc(1024 * 1024 + 1, 97) }],
  ['/set', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":' }],
  ['/set', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' }],
  ['/set', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=&value=v' }],
  ['/mandelbrot.png?width=0'],
  ['/mandelbrot.png?escape=lots'],
  ['/no/such/route'],
  ['/election', { method: 'POST' }],
  ['/servers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"address":"x"}' }],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The project's LB containers: the first (service lb) and the extra ones (service lb-extra). */
export async function lbContainers(project: string): Promise<Container[]> {
  return [...(await containers(project, 'lb')), ...(await containers(project, 'lb-extra'))];
}

export class Nemesis {
  readonly malformed: MalformedAnswer[] = [];
  private readonly network: string;

  /**
   * @param lbUrls every LB's URL now (an extra LB may come back on another port after a restart)
   * @param refreshLbUrls looks the LBs' URLs up again (after an LB fault)
   */
  constructor(
    private readonly project: string,
    private readonly lbUrls: () => string[],
    private readonly refreshLbUrls: () => Promise<void>,
    private readonly clusters: number,
    private readonly random: Random,
  ) {
    this.network = `${project}_backend`;
  }

  async inject(kind: FaultKind): Promise<FaultRecord> {
    const rec = await this.injectOnly(kind);
    rec.endAt = performance.now();
    rec.epochAfter = await this.epoch();
    return rec;
  }

  private async injectOnly(kind: FaultKind): Promise<FaultRecord> {
    const heldMs = Math.round(300 + this.random() * 2200);
    const rec: FaultRecord = { kind, target: '-', role: '-', heldMs: 0, recoveredMs: null, startAt: performance.now(), endAt: 0, epochBefore: await this.epoch(), epochAfter: 0 };
    if (kind === 'malformed') {
      await this.sendMalformed();
      return { ...rec, recoveredMs: 0 };
    }
    if (kind === 'restart-lb' || kind === 'kill-lb' || kind === 'pause-lb' || kind === 'cut-lb') {
      const lbs = await lbContainers(this.project);
      const lb = lbs[Math.floor(this.random() * lbs.length)]!;
      Object.assign(rec, { target: lb.name, role: 'lb', heldMs: kind === 'restart-lb' ? 0 : heldMs });
      if (kind === 'restart-lb') await this.during(0, () => docker('kill', lb.name), () => docker('start', lb.name));
      else if (kind === 'kill-lb') await this.during(heldMs, () => docker('kill', lb.name), () => docker('start', lb.name));
      else if (kind === 'pause-lb') await this.during(heldMs, () => docker('pause', lb.name), () => docker('unpause', lb.name));
      else {
        const leader = await this.leaderAddress();
        await this.during(heldMs, () => this.firewall(lb, '-I', leader), () => this.firewall(lb, '-D', leader));
      }
      await this.refreshLbUrls();
      rec.recoveredMs = await this.recovered();
      return rec;
    }
    const wantLeader = kind === 'pause-leader' ? true : kind === 'pause-follower' ? false : this.random() < 0.5;
    const { target, role } = await this.pick(wantLeader);
    Object.assign(rec, { target: target.name, role, heldMs: heldMs });
    const sv = (signal: string, program: string) => docker('exec', target.name, 'supervisorctl', 'signal', signal, program);
    switch (kind) {
      case 'pause-leader':
      case 'pause-follower':
        await this.during(heldMs, () => docker('pause', target.name), () => docker('unpause', target.name));
        break;
      case 'stop-slave':
        await this.during(heldMs, () => sv('STOP', 'slave'), () => sv('CONT', 'slave'));
        break;
      case 'stop-redis':
        await this.during(heldMs, () => sv('STOP', 'redis'), () => sv('CONT', 'redis'));
        break;
      case 'kill-slave':
        await sv('KILL', 'slave');
        rec.heldMs = 0;
        break;
      case 'kill-redis':
        await sv('KILL', 'redis');
        rec.heldMs = 0;
        break;
      case 'kill-container':
        await this.during(heldMs, () => docker('kill', target.name), () => docker('start', target.name));
        break;
      case 'disconnect':
        await this.during(
          heldMs,
          () => docker('network', 'disconnect', this.network, target.name),
          // --alias: the compose service name, so that DNS finds the container again.
          () => docker('network', 'connect', '--alias', 'cluster', this.network, target.name),
        );
        break;
    }
    rec.recoveredMs = await this.recovered();
    return rec;
  }

  /** Undo whatever may be left of a fault (after an interrupted run): idempotent. */
  async healAll(): Promise<void> {
    const all = (await docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${this.project}`)).split('\n').filter(Boolean);
    for (const id of all) {
      await docker('unpause', id).catch(() => undefined);
      await docker('start', id).catch(() => undefined);
      await docker('exec', id, 'supervisorctl', 'signal', 'CONT', 'all').catch(() => undefined);
    }
    for (const c of await containers(this.project, 'cluster')) {
      await docker('network', 'connect', '--alias', 'cluster', this.network, c.id).catch(() => undefined);
    }
    for (const lb of await lbContainers(this.project)) await this.firewall(lb, '-F').catch(() => undefined);
    await this.refreshLbUrls();
  }

  /**
   * Waits until every LB has a leader, the same epoch and every cluster healthy; the time it took,
   * or null.
   */
  async recovered(limitMs = 90_000): Promise<number | null> {
    const started = Date.now();
    for (let round = 1; Date.now() - started < limitMs; round++) {
      const states = await Promise.all(
        this.lbUrls().map((url) =>
          fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
            .then((r) => r.json() as Promise<{ status: string; leader: { epoch: number } | null; clusters: { healthy: number } }>)
            .catch(() => null),
        ),
      );
      const ok = states.every((h) => h?.status === 'ok' && h.clusters.healthy === this.clusters && h.leader?.epoch === states[0]?.leader?.epoch);
      // ... and every cluster is back on that epoch (a restarted slave is told the leader again).
      if (ok && (await this.allOnEpoch(states[0]!.leader!.epoch))) return Date.now() - started;
      await sleep(100);
      if (round % 50 === 0) await this.refreshLbUrls(); // an LB that came back on another port
    }
    return null;
  }

  private async allOnEpoch(epoch: number): Promise<boolean> {
    const servers = (await fetch(`${this.lbUrls()[0]}/servers`, { signal: AbortSignal.timeout(2000) }).then((r) => r.json(), () => null)) as { epoch: number | null }[] | null;
    return !!servers && servers.length === this.clusters && servers.every((s) => s.epoch === epoch);
  }

  /** The fleet's epoch, as the first LB that answers says (0: none answered). */
  private async epoch(): Promise<number> {
    for (const url of this.lbUrls()) {
      const l = (await fetch(`${url}/leader`, { signal: AbortSignal.timeout(2000) }).then((r) => r.json(), () => null)) as { epoch?: number } | null;
      if (l?.epoch) return l.epoch;
    }
    return 0;
  }

  private async leaderAddress(): Promise<string> {
    for (const url of this.lbUrls()) {
      const l = (await fetch(`${url}/leader`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json(), () => null)) as { address?: string } | null;
      if (l?.address) return l.address;
    }
    throw new Error('no LB says who leads');
  }

  /**
   * A firewall rule inside one LB's network namespace only (as root: nsenter into the container's
   * process): -I drops its traffic to `address`, -D removes that rule, -F removes every rule.
   */
  private async firewall(lb: Container, action: '-I' | '-D' | '-F', address?: string): Promise<void> {
    const pid = await docker('inspect', '-f', '{{.State.Pid}}', lb.id);
    const rule = action === '-F' ? ['-F', 'OUTPUT'] : [action, 'OUTPUT', '-d', address!, '-j', 'DROP'];
    const r = await run('nsenter', ['-t', pid, '-n', 'iptables', '-w', ...rule]);
    if (r.code !== 0 && action !== '-F') throw new Error(`iptables ${rule.join(' ')} in ${lb.name}: ${r.stderr}`);
  }

  private async during(ms: number, fault: () => Promise<unknown>, heal: () => Promise<unknown>): Promise<void> {
    await fault();
    try {
      await sleep(ms);
    } finally {
      await heal();
    }
  }

  private async pick(wantLeader: boolean): Promise<{ target: Container; role: 'leader' | 'follower' }> {
    const leader = await this.leaderAddress();
    const all = await containers(this.project, 'cluster');
    const leaders = all.filter((c) => c.ips.includes(leader));
    const followers = all.filter((c) => !c.ips.includes(leader));
    const pool = wantLeader && leaders.length > 0 ? leaders : followers.length > 0 ? followers : leaders;
    const target = pool[Math.floor(this.random() * pool.length)]!;
    return { target, role: leaders.includes(target) ? 'leader' : 'follower' };
  }

  private async sendMalformed(): Promise<void> {
    await Promise.all(
      MALFORMED.map(async ([path, init]) => {
        const method = init?.method ?? 'GET';
        const res = await fetch(`${this.lbUrls()[0]}${path}`, { ...init, signal: AbortSignal.timeout(10_000) }).catch(() => null);
        if (res) {
          await res.arrayBuffer().catch(() => undefined);
          this.malformed.push({ request: `${method} ${path.slice(0, 60)}`, status: res.status });
        }
      }),
    );
  }
}
