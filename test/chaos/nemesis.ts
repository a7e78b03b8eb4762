// The faults of a chaos run, injected into the project's own containers, one at a time: freezes
// (whole container, only the slave, only redis-server), kills (of each process, of the container),
// a network cut, an LB restart and bursts of malformed requests.
import { containers, docker, type Container } from '../helpers/docker.ts';
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
  'restart-lb', // docker kill of the LB, started again
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

export class Nemesis {
  readonly malformed: MalformedAnswer[] = [];
  private readonly network: string;

  constructor(
    private readonly project: string,
    private readonly lbUrl: string,
    private readonly clusters: number,
    private readonly random: Random,
  ) {
    this.network = `${project}_backend`;
  }

  async inject(kind: FaultKind): Promise<FaultRecord> {
    const heldMs = Math.round(300 + this.random() * 2200);
    const rec: FaultRecord = { kind, target: '-', role: '-', heldMs: 0, recoveredMs: null };
    if (kind === 'malformed') {
      await this.sendMalformed();
      return { ...rec, recoveredMs: 0 };
    }
    if (kind === 'restart-lb') {
      const [lb] = await containers(this.project, 'lb');
      await docker('kill', lb!.name);
      await docker('start', lb!.name);
      return { ...rec, target: lb!.name, role: 'lb', recoveredMs: await this.recovered() };
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
      await docker('network', 'connect', '--alias', 'cluster', this.network, id).catch(() => undefined);
    }
  }

  /** Waits until the LB has a leader and every cluster is healthy; the time it took, or null. */
  async recovered(limitMs = 90_000): Promise<number | null> {
    const started = Date.now();
    while (Date.now() - started < limitMs) {
      const health = await fetch(`${this.lbUrl}/health`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.json() as Promise<{ status: string; clusters: { healthy: number } }>)
        .catch(() => null);
      if (health?.status === 'ok' && health.clusters.healthy === this.clusters) return Date.now() - started;
      await sleep(100);
    }
    return null;
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
    const leader = (await fetch(`${this.lbUrl}/leader`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json())) as { address: string };
    const all = await containers(this.project, 'cluster');
    const leaders = all.filter((c) => c.ips.includes(leader.address));
    const followers = all.filter((c) => !c.ips.includes(leader.address));
    const pool = wantLeader && leaders.length > 0 ? leaders : followers.length > 0 ? followers : leaders;
    const target = pool[Math.floor(this.random() * pool.length)]!;
    return { target, role: leaders.includes(target) ? 'leader' : 'follower' };
  }

  private async sendMalformed(): Promise<void> {
    await Promise.all(
      MALFORMED.map(async ([path, init]) => {
        const method = init?.method ?? 'GET';
        const res = await fetch(`${this.lbUrl}${path}`, { ...init, signal: AbortSignal.timeout(10_000) }).catch(() => null);
        if (res) {
          await res.arrayBuffer().catch(() => undefined);
          this.malformed.push({ request: `${method} ${path.slice(0, 60)}`, status: res.status });
        }
      }),
    );
  }
}
