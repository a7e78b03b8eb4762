// One connection to a Redis server (node-redis) whose replies have a deadline.
//
// node-redis's per-command `timeout` stops counting once the command is written to the socket,
// and its `socketTimeout` is an idle timeout: it also closed every connection that merely had
// nothing to do for a second, and reconnected it. Here each command gets its own deadline. A
// command not answered in time fails, and the connection is replaced by a new one: the server may
// be frozen (its answers come later, to a connection nobody waits on) or gone without a reset (a
// killed container: the old socket would wait for minutes).
import { createClient, RESP_TYPES } from 'redis';
import type { Logger, RedisEndpoint } from '@hscale/common';

export class ReplyTimeoutError extends Error {
  readonly code = 'REPLY_TIMEOUT';
}

/**
 * Who a connection logs in as: a user of cluster-image/redis-auth-conf.sh, which says what each may
 * run. Without a password (a Redis set up without users), the default user.
 */
export interface RedisAuth {
  username: 'app' | 'control';
  password: string;
}

function newClient(endpoint: RedisEndpoint, auth: RedisAuth, connectTimeoutMs: number) {
  return createClient({
    socket: {
      host: endpoint.host,
      port: endpoint.port,
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries) => Math.min(100 * (retries + 1), 1000),
    },
    username: auth.password ? auth.username : undefined,
    password: auth.password || undefined,
    // Fail fast while disconnected instead of queueing requests for a Redis that may never return.
    disableOfflineQueue: true,
  });
}
type Client = ReturnType<typeof newClient>;
const BINARY_REPLIES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

export class RedisConnection {
  private client: Client;
  private lastError = '';

  /**
   * @param replyTimeoutMs the longest wait for one reply.
   * @param what a name for the log ("local", "leader-read", ...).
   */
  constructor(
    readonly endpoint: RedisEndpoint,
    private readonly auth: RedisAuth,
    private readonly replyTimeoutMs: number,
    private readonly log: Logger,
    private readonly what: string,
  ) {
    this.client = this.connect();
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  /**
   * One command; rejects with ReplyTimeoutError when no reply comes within the deadline. With
   * `binary`, bulk replies come back as Buffers (bytes such as a PNG would not survive as text).
   */
  send(args: (string | Buffer)[], binary = false): Promise<unknown> {
    const client = this.client;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new ReplyTimeoutError(`no reply from redis at ${this.endpoint.host}:${this.endpoint.port} within ${this.replyTimeoutMs} ms`));
        this.replace(client);
      }, this.replyTimeoutMs);
      client.sendCommand(args, binary ? BINARY_REPLIES : undefined).then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e) => (clearTimeout(timer), reject(e)),
      );
    });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => this.client.destroy());
  }

  private connect(): Client {
    const client = newClient(this.endpoint, this.auth, Math.max(this.replyTimeoutMs, 500));
    client.on('error', (err: Error) => {
      if (err.message !== this.lastError) this.log.warn('redis connection error', { redis: this.what, endpoint: this.endpoint, error: err.message });
      this.lastError = err.message;
    });
    client.on('ready', () => {
      if (this.lastError) this.log.info('redis connection restored', { redis: this.what, endpoint: this.endpoint });
      this.lastError = '';
    });
    client.connect().catch(() => undefined); // errors are reported by the 'error' event and retried
    return client;
  }

  /** After a missed deadline: a new connection; the old one is dropped with whatever it still waits for. */
  private replace(stale: Client): void {
    if (this.client !== stale) return;
    this.log.warn('redis did not answer in time; reconnecting', { redis: this.what, endpoint: this.endpoint, ms: this.replyTimeoutMs });
    this.lastError = 'reply timeout';
    this.client = this.connect();
    stale.destroy();
  }
}
