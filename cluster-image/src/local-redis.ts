// This cluster's own Redis: inspected for health and elections, re-pointed on leader changes.
import type { Logger, RedisEndpoint } from '@hscale/common';
import { RedisConnection } from './redis-connection.js';
import { FENCE, parseInfo, type RedisInfo } from './redis-info.js';
import { LIBRARY } from './store/library.js';
import { parseSweep } from './store/replies.js';
import { CHANGES_KEY, EXPIRY_KEY, FENCE_KEY, INDEX_KEY, OPS_KEY, SWEEP_CURSOR_KEY, VERSIONS_KEY } from './store/internal-keys.js';

export class LocalRedis {
  private readonly conn: RedisConnection;

  /**
   * @param connectTo where this slave reaches its Redis (usually localhost)
   * @param advertised the address other clusters reach it at (it may change: advertised-address.ts)
   */
  constructor(
    connectTo: RedisEndpoint,
    private readonly advertised: { readonly host: string },
    password: string,
    /** The replication password of an epoch (replication-password.ts). */
    private readonly replPassword: (epoch: number) => string,
    opTimeoutMs: number,
    log: Logger,
  ) {
    this.conn = new RedisConnection(connectTo, { username: 'control', password }, opTimeoutMs, log, 'local');
    this.port = connectTo.port;
  }

  private readonly port: number;

  /** Where other clusters reach this Redis now. */
  get endpoint(): RedisEndpoint {
    return { host: this.advertised.host, port: this.port };
  }

  async inspect(): Promise<RedisInfo | null> {
    if (!this.conn.isReady) return null;
    try {
      return parseInfo(String(await this.conn.send(['INFO', 'server', 'replication', 'memory', 'stats', 'keyspace'])));
    } catch {
      return null;
    }
  }

  /** Whom this Redis follows now (ROLE: much cheaper than INFO), or null for a master or no answer. */
  async following(): Promise<RedisEndpoint | null> {
    const role = (await this.conn.send(['ROLE']).catch(() => null)) as [string, string, number] | null;
    return role && role[0] === 'slave' ? { host: role[1], port: Number(role[2]) } : null;
  }

  /** Follows the leader of `epoch`: replicates `leader` with that epoch's password, which only that leader's Redis takes. */
  async follow(leader: RedisEndpoint, epoch: number): Promise<void> {
    // Replication logs in as the repl user (masteruser is in redis.conf). Redis answers "+OK
    // Already connected to specified master" when nothing changes; a new password applies from the
    // next connection (one already open is to this leader).
    await this.conn.send(['CONFIG', 'SET', 'masterauth', this.replPassword(epoch)]);
    await this.conn.send(['REPLICAOF', leader.host, String(leader.port)]);
  }

  /**
   * Stops taking part in anything older than `epoch` (this cluster promises it to an election). A
   * follower stops replicating: fenced (pointed at a port where nothing listens), it stays a replica with
   * its data and its place in the leader's history (comparable, and resumable by a partial sync),
   * but confirms nothing more to the old leader. A master refuses every request of an older epoch
   * (hs_freeze); one without the library (restarted, empty) serves nothing anyway.
   */
  async freeze(epoch: number): Promise<void> {
    const role = (await this.conn.send(['ROLE'])) as [string, ...unknown[]];
    if (role[0] === 'slave') {
      await this.conn.send(['REPLICAOF', FENCE.host, String(FENCE.port)]);
      return;
    }
    await this.conn.send(['FCALL', 'hs_freeze', '1', FENCE_KEY, String(epoch)]).catch((err: Error) => {
      if (!/function not found/i.test(err.message)) throw err;
    });
  }

  /** The epoch of the leader whose data this Redis holds: the fence its data carries (0: none). */
  async dataEpoch(): Promise<number> {
    return Number((await this.conn.send(['HGET', FENCE_KEY, 'epoch'])) ?? 0) || 0;
  }

  /**
   * Makes this Redis the leader of `epoch`: a master (if it is not one yet), with the current
   * function library, refusing every request of an older epoch from now on.
   */
  async promote(epoch: number, isMaster: boolean): Promise<void> {
    // From now on only followers of this epoch replicate from here (connections open stay).
    await this.conn.send(['ACL', 'SETUSER', 'repl', 'resetpass', `>${this.replPassword(epoch)}`]);
    if (!isMaster) await this.conn.send(['REPLICAOF', 'NO', 'ONE']); // keeps the run_id and the data
    await this.conn.send(['FUNCTION', 'LOAD', 'REPLACE', LIBRARY]);
    await this.conn.send(['FCALL', 'hs_promote', '1', FENCE_KEY, String(epoch)]);
  }

  /**
   * Leader only: forget index entries of keys whose TTL has passed and old op results, and with
   * `scan`, check the next `max` index entries for keys that are gone (evicted), from the start of
   * the index for 'start'. Bounded work per call.
   */
  async sweep(max: number, scan: 'no' | 'start' | 'continue'): Promise<{ expired: number; scanDone: boolean }> {
    const mode = { no: '', start: 'restart', continue: '1' }[scan];
    return parseSweep(await this.conn.send(['FCALL', 'hs_sweep_v3', '6', INDEX_KEY, EXPIRY_KEY, OPS_KEY, SWEEP_CURSOR_KEY, VERSIONS_KEY, CHANGES_KEY, String(max), mode]));
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
