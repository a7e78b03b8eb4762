// Real processes for integration tests: redis-server (Debian's), slaves and the LB from dist/,
// on free ports of 127.0.0.1. Everything started here is killed by stopAll().
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PASSWORD = 'test-redis-password';
/** The control user's (each slave's hold on its own Redis): another password, as in the image. */
export const CONTROL_PASSWORD = 'test-control-password';
export const SECRET = 'test-cluster-secret';
export const ADMIN = 'test-admin-token';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export class Proc {
  child: ChildProcess | null = null;
  output = '';
  constructor(readonly name: string, private readonly cmd: string, private readonly args: string[], private readonly env: NodeJS.ProcessEnv = {}) {}

  start(): this {
    this.child = spawn(this.cmd, this.args, { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-200_000);
      if (process.env.TEST_VERBOSE) process.stderr.write(`[${this.name}] ${d}`);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    return this;
  }

  /**
   * Waits until the process has written a line matching `pattern`. Output reaches the test through
   * a pipe, a little after the process wrote it: never assert on a single read of it.
   */
  async waitForOutput(pattern: RegExp, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline) throw new Error(`${this.name} did not write ${pattern} within ${timeoutMs} ms; its output ends with:\n${this.output.slice(-2000)}`);
      await sleep(20);
    }
  }

  /** How many lines of the output match `pattern` (a global regular expression). */
  count(pattern: RegExp): number {
    return this.output.match(pattern)?.length ?? 0;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  /** SIGSTOP/SIGCONT: the process hangs without closing its sockets (a frozen or cut-off node). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }
  resume(): void {
    this.child?.kill('SIGCONT');
  }
}

export interface ClusterProcs {
  redisPort: number;
  slavePort: number;
  redis: Proc;
  slave: Proc;
  id: string;
}

export class Harness {
  readonly procs: Proc[] = [];
  readonly clusters: ClusterProcs[] = [];
  lb!: Proc;
  lbPort = 0;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'hscale-test-'));

  get lbUrl(): string {
    return `http://127.0.0.1:${this.lbPort}`;
  }

  redisProc(port: number): Proc {
    return this.track(
      new Proc(`redis:${port}`, 'redis-server', [
        path.join(ROOT, 'cluster-image/redis.conf'),
        '--include', this.authConf(),
        ...(this.redisMemory ? ['--include', this.memoryConf(this.redisMemory)] : []),
        '--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir,
      ]),
    );
  }

  /** MAX_MEMORY and EVICTION for the Redis servers started from now on (none: no bound). */
  redisMemory: { MAX_MEMORY: string; EVICTION?: string } | null = null;

  /** Their memory bound, as the cluster image sets it (cluster-image/redis-memory-conf.sh). */
  private memoryConf(env: { MAX_MEMORY: string; EVICTION?: string }): string {
    const file = path.join(this.dir, `memory-${env.MAX_MEMORY}-${env.EVICTION ?? 'none'}.conf`);
    writeFileSync(file, execFileSync(path.join(ROOT, 'cluster-image/redis-memory-conf.sh'), { env: { ...process.env, ...env } }));
    return file;
  }

  /** Redis' users, as the cluster image sets them up (cluster-image/redis-auth-conf.sh). */
  private authConf(): string {
    const file = path.join(this.dir, 'auth.conf');
    if (!existsSync(file)) {
      writeFileSync(file, execFileSync(path.join(ROOT, 'cluster-image/redis-auth-conf.sh'), { env: { ...process.env, REDIS_PASSWORD: PASSWORD, REDIS_CONTROL_PASSWORD: CONTROL_PASSWORD } }), { mode: 0o600 });
    }
    return file;
  }

  slaveProc(slavePort: number, redisPort: number, env: NodeJS.ProcessEnv = {}): Proc {
    return this.track(
      new Proc(`slave:${slavePort}`, process.execPath, [path.join(ROOT, 'cluster-image/dist/main.js')], {
        PORT: String(slavePort), REDIS_PORT: String(redisPort), REDIS_PASSWORD: PASSWORD, REDIS_CONTROL_PASSWORD: CONTROL_PASSWORD, ADVERTISE_ADDRESS: '127.0.0.1',
        CLUSTER_SECRET: SECRET, CLUSTER_NAME: `cluster-${slavePort}`, LOG_LEVEL: 'debug',
        // Per slave port, so a restarted slave finds the epoch it promised (and no other test's).
        STATE_FILE: path.join(this.dir, `acceptor-${slavePort}.json`), ...env,
      }),
    );
  }

  /**
   * A slave on a free port. A port free a moment ago may be taken when the slave listens (by an
   * outgoing connection's local end, or another process): then another port, until it is its own
   * (its /health names it).
   */
  private async startSlave(redisPort: number, env: NodeJS.ProcessEnv): Promise<{ slave: Proc; slavePort: number }> {
    for (let attempt = 1; ; attempt++) {
      const slavePort = await freePort();
      const slave = this.slaveProc(slavePort, redisPort, env).start();
      const deadline = Date.now() + 10_000;
      while (slave.running && Date.now() < deadline) {
        const h = await fetch(`http://127.0.0.1:${slavePort}/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.json() as Promise<{ name?: string }>, () => null);
        if (h?.name === `cluster-${slavePort}` && slave.running) return { slave, slavePort };
        await sleep(50);
      }
      await slave.kill('SIGKILL');
      if (attempt >= 5) throw new Error(`the slave did not start on port ${slavePort}:\n${slave.output.slice(-2000)}`);
    }
  }

  async addCluster(env: NodeJS.ProcessEnv = {}): Promise<ClusterProcs> {
    const redisPort = await freePort();
    const redis = this.redisProc(redisPort).start();
    await waitForPort(redisPort);
    const { slave, slavePort } = await this.startSlave(redisPort, env);
    const c = { redisPort, slavePort, redis, slave, id: `127.0.0.1:${slavePort}` };
    this.clusters.push(c);
    return c;
  }

  async startLb(env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.lbPort ||= await freePort();
    this.lb = this.track(
      new Proc('lb', process.execPath, [path.join(ROOT, 'lb-image/dist/main.js')], {
        PORT: String(this.lbPort),
        STATIC_CLUSTERS: this.clusters.map((c) => c.id).join(','),
        CLUSTER_SECRET: SECRET, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'debug', ...env,
      }),
    ).start();
    await waitForPort(this.lbPort);
  }

  /** Another LB in front of the same clusters (README "Several LBs"), on its own port. */
  async startExtraLb(env: NodeJS.ProcessEnv = {}): Promise<{ proc: Proc; url: string; port: number }> {
    const port = await freePort();
    const proc = this.track(
      new Proc(`lb:${port}`, process.execPath, [path.join(ROOT, 'lb-image/dist/main.js')], {
        PORT: String(port),
        STATIC_CLUSTERS: this.clusters.map((c) => c.id).join(','),
        CLUSTER_SECRET: SECRET, ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'debug', ...env,
      }),
    ).start();
    await waitForPort(port);
    return { proc, url: `http://127.0.0.1:${port}`, port };
  }

  /** Start N clusters and the LB, and wait until the LB has a leader and N routable clusters. */
  static async start(n: number, env: { lb?: NodeJS.ProcessEnv; slave?: NodeJS.ProcessEnv; redis?: Harness['redisMemory'] } = {}): Promise<Harness> {
    const h = new Harness();
    h.redisMemory = env.redis ?? null;
    for (let i = 0; i < n; i++) await h.addCluster(env.slave);
    await h.startLb(env.lb);
    try {
      await h.waitFor(async () => {
        const r = await fetch(`${h.lbUrl}/health`).then((x) => x.json() as Promise<{ status: string; clusters: { healthy: number } }>);
        return r.status === 'ok' && r.clusters.healthy === n;
      }, 20_000, 'the LB to report every cluster healthy with a leader');
    } catch (err) {
      // Say which cluster did not come up, and what it said.
      const servers = (await fetch(`${h.lbUrl}/servers`).then((x) => x.json()).catch(() => [])) as { id: string; healthy: boolean }[];
      const down = h.clusters.filter((c) => !servers.find((s) => s.id === c.id)?.healthy);
      const tails = down.map((c) => `--- ${c.id}: slave ---\n${c.slave.output.slice(-1500)}\n--- redis ---\n${c.redis.output.slice(-800)}`);
      throw new Error(`${(err as Error).message}\n--- /servers ---\n${JSON.stringify(servers)}\n${tails.join('\n')}`);
    }
    return h;
  }

  async waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await cond().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- LB log tail ---\n${this.lb?.output.slice(-4000)}`);
      await sleep(100);
    }
  }

  async leader(): Promise<ClusterProcs> {
    const l = (await fetch(`${this.lbUrl}/leader`).then((r) => r.json())) as { id: string };
    const c = this.clusters.find((x) => x.id === l.id);
    if (!c) throw new Error(`leader ${l.id} is not one of ours`);
    return c;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => (p.resume(), p.kill('SIGKILL'))));
  }

  private track(p: Proc): Proc {
    this.procs.push(p);
    return p;
  }
}

/** A connected client of one of the test Redis servers (close it when done). */
export async function redisClient(port: number) {
  const c = createClient({ socket: { port, host: '127.0.0.1' }, password: PASSWORD });
  await c.connect();
  return c;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}
