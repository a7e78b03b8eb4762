// The key-value operations, run in the current leader's Redis as the functions of library.ts.
// Reads and writes go through the ReplicatedWriter's connection (a majority confirms each batch);
// fences and map tiles use a second one. Every call names the epoch it belongs to, and every write carries its
// fencing token, so that the leader's Redis itself refuses what is stale.
import { encodeCursor, type FenceToken, type ListQuery, type Logger, type RedisEndpoint } from '@hscale/common';
import { RedisConnection } from './redis-connection.js';
import { ReplicatedWriter, type Durability, type WriteAck } from './replicated-writer.js';
import { parseChanges, parseInteger, parseListing, parseNewestId, parseOutcome, parseStored, parseStoredMany, parseTile, type ChangePage, type StoredValue, type WriteOutcome } from './store/replies.js';
import { CHANGES_KEY, EXPIRY_KEY, FENCE_KEY, INDEX_KEY, OPS_KEY, TILE_SIZES_KEY, TILES_KEY, tileKey, VERSIONS_KEY } from './store/internal-keys.js';

export interface StoreOptions {
  password: string;
  opTimeoutMs: number;
  writeAck: WriteAck;
  waitTimeoutMs: number;
}

/** The longest a change feed's XREAD blocks (waitForChange). */
export const CHANGE_BLOCK_MS = 5000;

export type WriteOp = ({ op: 'set'; key: string; value: string; ttl?: number } | { op: 'del'; key: string } | { op: 'incr'; key: string; by: string }) & {
  /** Compare-and-set: applied only if the key's version is this (0 = the key does not exist). */
  ifVersion?: number;
};

export type { Change, ChangePage, StoredValue, WriteOutcome } from './store/replies.js';

export class LeaderStore {
  private readonly reader: RedisConnection;
  private readonly writerConn: RedisConnection;
  private readonly writer: ReplicatedWriter;
  /** Only for XREAD BLOCK (waitForChange), which holds its connection. */
  private readonly blocking: RedisConnection;

  constructor(readonly endpoint: RedisEndpoint, opts: StoreOptions, log: Logger) {
    this.reader = new RedisConnection(endpoint, { username: 'app', password: opts.password }, opts.opTimeoutMs, log, 'leader-read');
    // WAIT is silent for up to waitTimeoutMs by design: the write connection allows for it.
    this.writerConn = new RedisConnection(endpoint, { username: 'app', password: opts.password }, Math.max(opts.opTimeoutMs, opts.waitTimeoutMs + 500), log, 'leader-write');
    this.writer = new ReplicatedWriter(this.writerConn, opts.writeAck, opts.waitTimeoutMs, log);
    this.blocking = new RedisConnection(endpoint, { username: 'app', password: opts.password }, opts.opTimeoutMs + CHANGE_BLOCK_MS, log, 'leader-watch');
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

  async get(epoch: number, key: string): Promise<StoredValue | null> {
    return parseStored(await this.read(['FCALL_RO', 'hs_get_v2', '3', FENCE_KEY, key, VERSIONS_KEY, String(epoch)]));
  }

  /** Several reads in one call (the reads of one batch). */
  async getMany(epoch: number, keys: string[]): Promise<(StoredValue | null)[]> {
    const reply = await this.read(['FCALL_RO', 'hs_get_many_v2', String(keys.length + 2), FENCE_KEY, VERSIONS_KEY, ...keys, String(epoch)]);
    return parseStoredMany(reply);
  }

  /** A set, increment or delete, compared with the key's version first if `ifVersion` is given. */
  async write(token: FenceToken, w: WriteOp): Promise<{ outcome: WriteOutcome; durability: Durability }> {
    const keys = [FENCE_KEY, INDEX_KEY, EXPIRY_KEY, w.key, OPS_KEY, VERSIONS_KEY, CHANGES_KEY];
    const args = [String(token.epoch), token.writer, String(token.generation), token.retry ? '1' : '', w.op];
    args.push(w.op === 'set' ? w.value : w.op === 'incr' ? w.by : '', w.op === 'set' && w.ttl ? String(w.ttl) : '', token.opId);
    args.push(w.ifVersion === undefined ? '' : String(w.ifVersion));
    // A delete runs even when the store is full (it makes room); a set is refused then (507).
    const fn = w.op === 'del' ? 'hs_delete_v3' : 'hs_write_v3';
    const { reply, durability } = await this.writer.submit(['FCALL', fn, String(keys.length), ...keys, ...args]);
    return { outcome: parseOutcome(w.op, reply), durability };
  }

  /**
   * The changes after `after` ('' = none: only the current position), at most `count`. Confirmed by
   * a majority like any read: a watcher never sees a change that a failover could take back.
   */
  async changes(epoch: number, after: string, count: number): Promise<ChangePage> {
    return parseChanges(await this.read(['FCALL_RO', 'hs_changes', '2', FENCE_KEY, CHANGES_KEY, String(epoch), after, String(count)]));
  }

  /**
   * Resolves once the change stream may hold something after `after` (or after `blockMs`, with
   * null), with the id of a newer change: one
   * blocking XREAD on a connection of its own, so that watchers need not poll. Unconfirmed: the
   * watcher reads what it delivers with changes().
   */
  async waitForChange(after: string, blockMs: number): Promise<string | null> {
    return parseNewestId(await this.blocking.send(['XREAD', 'COUNT', '1', 'BLOCK', String(blockMs), 'STREAMS', CHANGES_KEY, after]));
  }

  /** One page of keys in byte order (and their versions if asked); the cursor is the last key looked at. */
  async list(epoch: number, q: ListQuery, withVersions = false): Promise<{ keys: string[]; versions?: number[]; cursor: string | null }> {
    const { keys, next, versions } = parseListing(
      await this.read(['FCALL', 'hs_list_v2', '5', FENCE_KEY, INDEX_KEY, EXPIRY_KEY, VERSIONS_KEY, CHANGES_KEY, String(epoch), q.prefix, q.after, String(q.limit), withVersions ? '1' : '']),
      withVersions,
    );
    const cursor = next === '' ? null : encodeCursor(next);
    return versions ? { keys, versions, cursor } : { keys, cursor };
  }

  /** Refuse, from now on, every write of `writer` below `generation`. Resolves once the leader's Redis has done so. */
  async raiseFence(epoch: number, writer: string, generation: number): Promise<number> {
    return parseInteger('hs_fence', await this.reader.send(['FCALL', 'hs_fence', '1', FENCE_KEY, String(epoch), writer, String(generation)]));
  }

  /** A cached map tile (PNG), or null. */
  async tileGet(epoch: number, id: string): Promise<Buffer | null> {
    return parseTile(await this.reader.send(['FCALL_RO', 'hs_tile_get', '2', FENCE_KEY, tileKey(id), String(epoch), id], true));
  }

  /** Caches a map tile for `ttlMs`, dropping the oldest tiles beyond `capBytes`; how many were dropped. */
  async tilePut(epoch: number, id: string, png: Buffer, ttlMs: number, capBytes: number): Promise<number> {
    return parseInteger('hs_tile_put', await this.reader.send(['FCALL', 'hs_tile_put', '4', FENCE_KEY, TILES_KEY, TILE_SIZES_KEY, tileKey(id), String(epoch), id, png, String(ttlMs), String(capBytes)]));
  }

  async close(): Promise<void> {
    await Promise.all([this.reader.close(), this.writerConn.close(), this.blocking.close()]);
  }
}
