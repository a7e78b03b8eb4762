// Keep-alive connection pools per slave (undici), one per lane: key-value traffic, health probes
// and render bands each have their own connections, so a probe never waits behind a band (a slow
// render must not make a healthy cluster look dead). A slave's pools are destroyed when it leaves
// the membership: Docker reuses IP addresses, and a pooled socket to a removed address must never
// carry a request meant for whatever container gets that address next.
import { Pool, type Dispatcher } from 'undici';

export interface SlaveRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Which of the slave's pools carries it (default: 'kv'). */
  lane?: Lane;
}

export type Lane = 'kv' | 'probe' | 'render';
/** Probes are one small request at a time per slave; two connections leave room for a retry. */
const PROBE_CONNECTIONS = 2;

export interface SlaveResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Rejects with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

export class SlavePools {
  private readonly pools = new Map<string, Map<Lane, Pool>>();

  constructor(private readonly connectionsPerSlave = 32) {}

  async request(id: string, origin: string, req: SlaveRequest): Promise<SlaveResponse> {
    const lane = req.lane ?? 'kv';
    let lanes = this.pools.get(id);
    if (!lanes) this.pools.set(id, (lanes = new Map()));
    let pool = lanes.get(lane);
    if (!pool) {
      const connections = lane === 'probe' ? PROBE_CONNECTIONS : this.connectionsPerSlave;
      pool = new Pool(origin, { connections, keepAliveTimeout: 10_000, connectTimeout: Math.min(req.timeoutMs, 3000) });
      lanes.set(lane, pool);
    }
    // The deadline is an AbortSignal: undici's own headersTimeout/bodyTimeout run on a coarse
    // timer (about 1 s resolution), which turned a 300 ms probe timeout into 1 s.
    const deadline = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline;
    const exchange = (async () => {
      const res = await pool.request({ method: req.method, path: req.path, headers: req.headers, body: req.body, signal });
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, headers: res.headers, body };
    })();
    // undici ignores the signal while it is still connecting, and its connect timeout is as coarse:
    // to an address that vanished (a killed container) it gave up after a second, not 300 ms.
    exchange.catch(() => undefined); // settles later on its own when the race is lost
    return Promise.race([exchange, aborted(signal)]);
  }

  remove(id: string): void {
    const lanes = this.pools.get(id);
    this.pools.delete(id);
    for (const pool of lanes?.values() ?? []) void pool.destroy().catch(() => undefined);
  }

  has(id: string): boolean {
    return this.pools.has(id);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.pools.values()].flatMap((lanes) => [...lanes.values()]).map((p) => p.destroy().catch(() => undefined)));
    this.pools.clear();
  }
}
