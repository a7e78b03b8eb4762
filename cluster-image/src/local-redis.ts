// This cluster's own Redis: inspected for health and elections, re-pointed on leader changes.
import { createClient } from 'redis';
import type { Logger, RedisEndpoint } from '@hscale/common';
import { parseInfo, type RedisInfo } from './redis-info.js';
import { LIBRARY } from './store/library.js';
import { EXPIRY_KEY, FENCE_KEY, INDEX_KEY } from './store/internal-keys.js';

/**
 * @param replyTimeoutMs the longest silence while a reply is awaited. node-redis's per-command
 *   `timeout` stops counting once a command is written to the socket, so only the socket timeout
 *   bounds the wait for a Redis that froze or whose container vanished (packets dropped, no RST).
 */
function newClient(endpoint: RedisEndpoint, password: string, replyTimeoutMs: number) {
  return createClient({
    socket: {
      host: endpoint.host,
      port: endpoint.port,
      connectTimeout: Math.max(replyTimeoutMs, 500),
      socketTimeout: replyTimeoutMs,
      reconnectStrategy: (retries) => Math.min(100 * (retries + 1), 1000),
    },
    password: password || undefined,
    // Fail fast while disconnected instead of queueing requests for a Redis that may never return.
    disableOfflineQueue: true,
    commandOptions: { timeout: replyTimeoutMs },
  });
}
export type RedisClient = ReturnType<typeof newClient>;

export function connectRedis(endpoint: RedisEndpoint, password: string, replyTimeoutMs: number, log: Logger, what: string): RedisClient {
  const client = newClient(endpoint, password, replyTimeoutMs);
  let lastError = '';
  client.on('error', (err: Error) => {
    if (err.message !== lastError) log.warn('redis connection error', { redis: what, endpoint, error: err.message });
    lastError = err.message;
  });
  client.on('ready', () => {
    if (lastError) log.info('redis connection restored', { redis: what, endpoint });
    lastError = '';
  });
  client.connect().catch(() => undefined); // errors are reported by the 'error' event and retried
  return client;
}

export class LocalRedis {
  readonly client: RedisClient;

  /**
   * @param connectTo where this slave reaches its Redis (usually localhost)
   * @param endpoint where other clusters reach it (the advertised address)
   */
  constructor(connectTo: RedisEndpoint, readonly endpoint: RedisEndpoint, private readonly password: string, opTimeoutMs: number, log: Logger) {
    this.client = connectRedis(connectTo, password, opTimeoutMs, log, 'local');
  }

  async inspect(): Promise<RedisInfo | null> {
    if (!this.client.isReady) return null;
    try {
      return parseInfo(String(await this.client.sendCommand(['INFO', 'server', 'replication'])));
    } catch {
      return null;
    }
  }

  async follow(leader: RedisEndpoint): Promise<void> {
    // Replication between clusters authenticates with the shared password: set before the first sync.
    if (this.password) await this.client.configSet('masterauth', this.password);
    // Redis answers "+OK Already connected to specified master" when nothing changes.
    await this.client.sendCommand(['REPLICAOF', leader.host, String(leader.port)]);
  }

  /**
   * Makes this Redis the leader of `epoch`: a master (if it is not one yet), with the current
   * function library, refusing every request of an older epoch from now on.
   */
  async promote(epoch: number, isMaster: boolean): Promise<void> {
    if (!isMaster) await this.client.sendCommand(['REPLICAOF', 'NO', 'ONE']); // keeps the run_id and the data
    await this.client.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', LIBRARY]);
    await this.client.sendCommand(['FCALL', 'hs_promote', '1', FENCE_KEY, String(epoch)]);
  }

  /** Leader only: forget index entries of keys whose TTL has passed (bounded work per call). */
  async sweepExpired(max: number): Promise<number> {
    return Number(await this.client.sendCommand(['FCALL', 'hs_sweep', '2', INDEX_KEY, EXPIRY_KEY, String(max)]));
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}
