// The slave: an HTTP server beside this cluster's Redis (both under supervisord in the image).
import { createServer } from 'node:http';
import { answerClientErrorsAsJson, createLogger, SettingsError, warnWhileInsecure } from '@hscale/common';
import { createSlaveApp } from './app.js';
import { AcceptorState } from './acceptor-state.js';
import { replicationPassword } from './replication-password.js';
import { Leadership } from './leadership.js';
import { RenderPool } from './render/render-pool.js';
import { LocalRedis } from './local-redis.js';
import { loadClusterSettings } from './settings.js';
import { startSignup } from './signup.js';

async function main(): Promise<void> {
  const settings = loadClusterSettings();
  const log = createLogger('slave', settings.LOG_LEVEL);
  warnWhileInsecure(log, settings.INSECURE_DEV_MODE);
  const local = new LocalRedis(
    { host: settings.REDIS_HOST, port: settings.REDIS_PORT },
    settings.advertised,
    settings.REDIS_CONTROL_PASSWORD || settings.REDIS_PASSWORD,
    (epoch) => replicationPassword(settings.REDIS_PASSWORD, epoch),
    settings.LEADER_OP_TIMEOUT_MS,
    log,
  );
  const leadership = new Leadership(
    local,
    { password: settings.REDIS_PASSWORD, opTimeoutMs: settings.LEADER_OP_TIMEOUT_MS, writeAck: settings.WRITE_ACK, waitTimeoutMs: settings.WAIT_TIMEOUT_MS },
    log,
    new AcceptorState(settings.STATE_FILE),
  );
  const reconcile = setInterval(() => void leadership.reconcile().catch(() => undefined), settings.RECONCILE_INTERVAL_MS);
  const renderPool = new RenderPool(settings.RENDER_WORKERS);
  void renderPool.prepare().then((err) =>
    err ? log.warn('the WebAssembly kernel cannot be used; rendering with the TypeScript kernel', { error: err.message }) : log.info('render kernel: WebAssembly SIMD'),
  );
  // Only the LB talks to a slave, over keep-alive pools that drop idle sockets after 10 s: the
  // slave keeps them 15 s (so the LB closes first, never sending on a socket being closed), and a
  // request must arrive whole within 10 s (anything slower is not the LB).
  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000, keepAliveTimeout: 15_000 }, createSlaveApp(settings, leadership, renderPool, log));
  answerClientErrorsAsJson(server);
  server.listen(settings.PORT, () =>
    log.info('slave listening', { port: settings.PORT, redis: `${settings.REDIS_HOST}:${settings.REDIS_PORT}`, advertise: settings.ADVERTISE_ADDRESS || 'the address the LB reaches this slave at', writeAck: settings.WRITE_ACK }),
  );
  const signup = startSignup(settings, log);

  const stop = (signal: string) => {
    log.info('stopping', { signal });
    clearInterval(reconcile);
    signup?.stop();
    server.close();
    server.closeAllConnections();
    void Promise.all([leadership.close(), local.close(), renderPool.close()]).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err instanceof SettingsError ? err.message : err);
  process.exit(1);
});
