import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { MANDELBROT_LIMITS, SettingsError, configDir, flag, fraction, hostPortList, int, loadSettings, oneOf, readDefaults, requireSecrets, text } from '@hscale/common';

export const lbSettingsSchema = z.object({
  PORT: int(1, 65535),
  /** DNS name whose every A record is a cluster (compose service name / headless Service); empty = off. */
  CLUSTER_DNS_NAME: text(),
  /** HTTP port of the slaves found through DNS. */
  CLUSTER_PORT: int(1, 65535),
  /** Fixed clusters, "host:port,host:port" (for runs without Docker). */
  STATIC_CLUSTERS: hostPortList(),
  /** A node-cron step (every N seconds of the minute): only a divisor of 60 gives even intervals. */
  DNS_REFRESH_SECONDS: int(1, 59).refine((n) => 60 % n === 0, { message: 'must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30): other steps give uneven intervals' }),
  /** Followers (and clusters not in use yet). */
  PROBE_INTERVAL_MS: int(50, 60_000),
  /** The leader: its silence starts an election, so it is probed more often (probes may overlap). */
  LEADER_PROBE_INTERVAL_MS: int(20, 60_000),
  PROBE_TIMEOUT_MS: int(50, 60_000),
  FAILURE_THRESHOLD: int(1, 100),
  REQUEST_TIMEOUT_MS: int(100, 300_000),
  LEADER_WAIT_MS: int(0, 60_000),
  /** Batches of key-value operations out to one slave at once; operations that arrive meanwhile wait and share the next. */
  BATCHES_IN_FLIGHT: int(1, 64),
  /** Shared with the slaves; required (at least 16 characters) unless INSECURE_DEV_MODE. */
  CLUSTER_SECRET: text(),
  /** For POST /election; required (at least 16 characters) unless INSECURE_DEV_MODE. */
  ADMIN_TOKEN: text(),
  /** How this LB names itself to the clusters (GET /lbs lists every LB by it); empty = <hostname>:<PORT>. */
  LB_NAME: text(),
  /** 1: start without secrets (a trial on one's own machine); the log says so every few minutes. */
  INSECURE_DEV_MODE: flag(),
  REGISTRATION_TTL_SECONDS: int(1, 3600),
  MAX_VALUE_BYTES: int(1, 512 * 1024 * 1024),
  /** 1: GET, PUT and DELETE /keys/{key} are served by node:http directly (routes/fast-kv.ts); 0: by Express, like every other route. */
  KV_FAST_PATH: flag(),
  MANDELBROT_MAX_DIMENSION: int(1, MANDELBROT_LIMITS.maxDimension),
  MANDELBROT_MAX_ESCAPE: int(1, MANDELBROT_LIMITS.maxEscape),
  RENDER_BANDS_PER_CLUSTER: int(1, 256),
  RENDER_CONCURRENCY_PER_CLUSTER: int(1, 64),
  BAND_TIMEOUT_MS: int(100, 600_000),
  /** Renders in progress at once; more are refused with 429 (see admission.ts). */
  MANDELBROT_MAX_RENDERS: int(1, 1024),
  /** Pixels of all renders in progress at once (one byte each in the LB's memory, plus the PNG). */
  MANDELBROT_MAX_PIXELS: int(1, 2 ** 31),
  /** How long a rendered map tile stays in the key-value store, and the bytes all tiles may take there. */
  TILE_CACHE_TTL_SECONDS: int(1, 30 * 24 * 3600),
  TILE_CACHE_MAX_BYTES: int(0, 64 * 1024 ** 3), // the slaves' bound (cluster-image/src/tile-routes.ts)
  LOG_LEVEL: oneOf(['error', 'warn', 'info', 'debug']),
  /** Fraction of ordinary requests written to the log (errors, slow and abandoned requests always are). */
  ACCESS_LOG_SAMPLE: fraction(),
  SLOW_REQUEST_MS: int(1, 600_000),
});
export type LbSettings = z.infer<typeof lbSettingsSchema>;

export function loadLbSettings(env: NodeJS.ProcessEnv = process.env): LbSettings {
  const s = loadSettings(lbSettingsSchema, readDefaults(path.join(configDir(import.meta.url, env), 'lb.json')), env);
  requireSecrets({ CLUSTER_SECRET: s.CLUSTER_SECRET, ADMIN_TOKEN: s.ADMIN_TOKEN }, s.INSECURE_DEV_MODE);
  // The leader's Redis keeps the result of an applied write at least 30 s, so that a retry finds it
  // and never applies it twice (store/library.ts): the LB must be done with a request well before.
  const longest = 3 * s.REQUEST_TIMEOUT_MS + s.LEADER_WAIT_MS;
  if (longest > MAX_REQUEST_LIFETIME_MS) {
    throw new SettingsError([
      `REQUEST_TIMEOUT_MS and LEADER_WAIT_MS: a request may be retried for 3 x ${s.REQUEST_TIMEOUT_MS} + ${s.LEADER_WAIT_MS} = ${longest} ms; ` +
        `at most ${MAX_REQUEST_LIFETIME_MS} ms is allowed (the leader remembers applied writes for 30 s)`,
    ]);
  }
  return { ...s, LB_NAME: s.LB_NAME || `${os.hostname()}:${s.PORT}` };
}

/** 3 x REQUEST_TIMEOUT_MS + LEADER_WAIT_MS at most: below the 30 s the leader remembers an applied write. */
export const MAX_REQUEST_LIFETIME_MS = 25_000;
