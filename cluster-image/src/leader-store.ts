// The key-value operations, run against the current leader's Redis. Reads use one connection;
// writes use a second one owned by the ReplicatedWriter (see there why it must be separate).
import { encodeCursor, scanPatternForPrefix, type ListQuery, type Logger, type RedisEndpoint } from '@hscale/common';
import { connectRedis, type RedisClient } from './local-redis.js';
import { ReplicatedWriter, type WriteAck } from './replicated-writer.js';

export interface StoreOptions {
  password: string;
  opTimeoutMs: number;
  writeAck: WriteAck;
  waitTimeoutMs: number;
}

/** Bounds the SCAN calls of one listing page, so a sparse prefix in a huge keyspace cannot pin a request. */
const MAX_SCANS_PER_PAGE = 64;

export class LeaderStore {
  private readonly reader: RedisClient;
  private readonly writerClient: RedisClient;
  private readonly writer: ReplicatedWriter;

  constructor(readonly endpoint: RedisEndpoint, opts: StoreOptions, log: Logger) {
    this.reader = connectRedis(endpoint, opts.password, opts.opTimeoutMs, log, 'leader-read');
    // WAIT is silent for up to waitTimeoutMs by design: the write connection allows for it.
    this.writerClient = connectRedis(endpoint, opts.password, Math.max(opts.opTimeoutMs, opts.waitTimeoutMs + 500), log, 'leader-write');
    this.writer = new ReplicatedWriter(this.writerClient, opts.writeAck, opts.waitTimeoutMs, log);
  }

  /** Resolves when both connections are ready, or after `timeoutMs` (they keep retrying after that). */
  async ready(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.reachable && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.reachable;
  }

  get reachable(): boolean {
    return this.reader.isReady && this.writerClient.isReady;
  }

  async get(key: string): Promise<{ value: string; ttl: number | null } | null> {
    const [value, ttl] = (await this.reader.multi().get(key).ttl(key).exec()) as unknown as [string | null, number];
    if (value === null) return null;
    return { value, ttl: ttl >= 0 ? ttl : null };
  }

  set(key: string, value: string, ttlSeconds?: number) {
    return this.writer.submit((c) => (ttlSeconds ? c.set(key, value, { expiration: { type: 'EX', value: ttlSeconds } }) : c.set(key, value)));
  }

  del(key: string) {
    return this.writer.submit(async (c) => (await c.del(key)) > 0);
  }

  /** One page of keys; the cursor resumes inside a SCAN batch so that `limit` is exact. */
  async list(q: ListQuery): Promise<{ keys: string[]; cursor: string | null }> {
    const keys: string[] = [];
    const pattern = scanPatternForPrefix(q.prefix);
    let scan = q.cursor.scan;
    let skip = q.cursor.skip;
    for (let i = 0; i < MAX_SCANS_PER_PAGE; i++) {
      const res = await this.reader.scan(scan, { MATCH: pattern, COUNT: Math.max(q.limit, 100) });
      const batch = res.keys.slice(skip);
      const room = q.limit - keys.length;
      if (batch.length > room) {
        keys.push(...batch.slice(0, room));
        return { keys, cursor: encodeCursor({ scan, skip: skip + room }) };
      }
      keys.push(...batch);
      skip = 0;
      scan = String(res.cursor);
      if (scan === '0') return { keys, cursor: null };
      if (keys.length === q.limit) break;
    }
    return { keys, cursor: encodeCursor({ scan, skip: 0 }) };
  }

  async close(): Promise<void> {
    await Promise.all([this.reader.close().catch(() => undefined), this.writerClient.close().catch(() => undefined)]);
  }
}
