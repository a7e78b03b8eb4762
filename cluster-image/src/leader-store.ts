// The key-value operations, run in the current leader's Redis as the functions of library.ts.
// Reads and writes go through the ReplicatedWriter's connection (a majority confirms each batch);
// fences and map tiles use a second one. Every call names the epoch it belongs to, and every write carries its
// fencing token, so that the leader's Redis itself refuses what is stale.
import { encodeCursor, type FenceToken, type ListQuery, type Logger, type RedisEndpoint } from '@hscale/common';
import { RedisConnection } from './redis-connection.js';
import { ReplicatedWriter, type WriteAck } from './replicated-writer.js';
import { EXPIRY_KEY, FENCE_KEY, INDEX_KEY, OPS_KEY, TILE_SIZES_KEY, TILES_KEY, tileKey } from './store/internal-keys.js';

export interface StoreOptions {
  password: string;
  opTimeoutMs: number;
  writeAck: WriteAck;
  waitTimeoutMs: number;
}

export type WriteOp = { op: 'set'; key: string; value: string; ttl?: number } | { op: 'del'; key: string };

export class LeaderStore {
  private readonly reader: RedisConnection;
  private readonly writerConn: RedisConnection;
  private readonly writer: ReplicatedWriter;

  constructor(readonly endpoint: RedisEndpoint, opts: StoreOptions, log: Logger) {
    this.reader = new RedisConnection(endpoint, { username: 'app', password: opts.password }, opts.opTimeoutMs, log, 'leader-read');
    // WAIT is silent for up to waitTimeoutMs by design: the write connection allows for it.
    this.writerConn = new RedisConnection(endpoint, { username: 'app', password: opts.password }, Math.max(opts.opTimeoutMs, opts.waitTimeoutMs + 500), log, 'leader-write');
    this.writer = new ReplicatedWriter(this.writerConn, opts.writeAck, opts.waitTimeoutMs, log);
  }

  /** Resolves when both connections are ready, or after `timeoutMs` (they keep retrying after that). */
  async ready(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.reachable && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.reachable;
  }

  get reachable(): boolean {
    return this.reader.isReady && this.writerConn.isReady;
  }

  /** The epoch served and the clusters voting in it: how many followers confirm each batch. */
  setTerm(epoch: number, voters: number): void {
    this.writer.term = { epoch, voters };
  }

  /**
   * A read goes through the writer like a write: it is answered only once a majority confirmed that
   * this Redis still led after it (replicated-writer.ts), so a deposed leader never answers one.
   */
  private async read(command: string[]): Promise<unknown> {
    return (await this.writer.submit(command)).reply;
  }

  async get(epoch: number, key: string): Promise<{ value: string; ttl: number | null } | null> {
    const reply = (await this.read(['FCALL_RO', 'hs_get', '2', FENCE_KEY, key, String(epoch)])) as [string, number] | null;
    if (!reply) return null;
    const [value, ttl] = reply;
    return { value, ttl: ttl >= 0 ? ttl : null };
  }

  /** Several reads in one call (the reads of one batch). */
  async getMany(epoch: number, keys: string[]): Promise<({ value: string; ttl: number | null } | null)[]> {
    const reply = (await this.read(['FCALL_RO', 'hs_get_many', String(keys.length + 1), FENCE_KEY, ...keys, String(epoch)])) as ([string, number] | null)[];
    return reply.map((r) => (r ? { value: r[0], ttl: r[1] >= 0 ? r[1] : null } : null));
  }

  /** A set or delete; the reply is 1 (set, or deleted) or 0 (nothing to delete). */
  async write(token: FenceToken, w: WriteOp) {
    const keys = [FENCE_KEY, INDEX_KEY, EXPIRY_KEY, w.key, OPS_KEY];
    const args = [String(token.epoch), token.writer, String(token.generation), token.retry ? '1' : '', w.op];
    args.push(w.op === 'set' ? w.value : '', w.op === 'set' && w.ttl ? String(w.ttl) : '', token.opId);
    // A delete runs even when the store is full (it makes room); a set is refused then (507).
    const fn = w.op === 'set' ? 'hs_write_v2' : 'hs_delete_v2';
    const { reply, durability } = await this.writer.submit(['FCALL', fn, String(keys.length), ...keys, ...args]);
    return { applied: Number(reply) === 1, durability };
  }

  /** One page of keys in byte order; the cursor is the last key looked at. */
  async list(epoch: number, q: ListQuery): Promise<{ keys: string[]; cursor: string | null }> {
    const reply = (await this.read([
      'FCALL', 'hs_list', '3', FENCE_KEY, INDEX_KEY, EXPIRY_KEY, String(epoch), q.prefix, q.after, String(q.limit),
    ])) as string[];
    const next = reply[reply.length - 1]!;
    return { keys: reply.slice(0, -1), cursor: next === '' ? null : encodeCursor(next) };
  }

  /** Refuse, from now on, every write of `writer` below `generation`. Resolves once the leader's Redis has done so. */
  async raiseFence(epoch: number, writer: string, generation: number): Promise<number> {
    return Number(await this.reader.send(['FCALL', 'hs_fence', '1', FENCE_KEY, String(epoch), writer, String(generation)]));
  }

  /** A cached map tile (PNG), or null. */
  async tileGet(epoch: number, id: string): Promise<Buffer | null> {
    return (await this.reader.send(['FCALL_RO', 'hs_tile_get', '2', FENCE_KEY, tileKey(id), String(epoch), id], true)) as Buffer | null;
  }

  /** Caches a map tile for `ttlMs`, dropping the oldest tiles beyond `capBytes`; how many were dropped. */
  async tilePut(epoch: number, id: string, png: Buffer, ttlMs: number, capBytes: number): Promise<number> {
    return Number(await this.reader.send(['FCALL', 'hs_tile_put', '4', FENCE_KEY, TILES_KEY, TILE_SIZES_KEY, tileKey(id), String(epoch), id, png, String(ttlMs), String(capBytes)]));
  }

  async close(): Promise<void> {
    await Promise.all([this.reader.close(), this.writerConn.close()]);
  }
}
