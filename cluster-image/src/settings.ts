import os from 'node:os';
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { AdvertisedAddress } from './advertised-address.js';
import { configDir, flag, fraction, int, loadSettings, oneOf, readDefaults, requireSecrets, text } from '@hscale/common';

export const clusterSettingsSchema = z.object({
  PORT: int(1, 65535),
  REDIS_HOST: z.string().min(1),
  REDIS_PORT: int(1, 65535),
  REDIS_PASSWORD: text(),
  /** The control user's password for this cluster's own Redis (the image makes one per start); empty = REDIS_PASSWORD. */
  REDIS_CONTROL_PASSWORD: text(),
  /** Address other clusters use to reach this cluster's Redis; empty = the address the LB reaches this slave at (advertised-address.ts). */
  ADVERTISE_ADDRESS: text(),
  WRITE_ACK: oneOf(['replica', 'leader']),
  WAIT_TIMEOUT_MS: int(10, 60_000),
  LEADER_OP_TIMEOUT_MS: int(50, 60_000),
  RECONCILE_INTERVAL_MS: int(100, 60_000),
  MAX_VALUE_BYTES: int(1, 512 * 1024 * 1024),
  LB_URL: text(),
  /** Shared with the LB; required (at least 16 characters) unless INSECURE_DEV_MODE. */
  CLUSTER_SECRET: text(),
  /** 1: start without the secret (a trial on one's own machine); the log says so every few minutes. */
  INSECURE_DEV_MODE: flag(),
  /** Checked at start-up, not only once the slave listens and the first sign-up is due. */
  SIGNUP_SCHEDULE: z.string().min(1).refine((expr) => cron.validate(expr), { message: 'must be a cron expression with seconds, such as "*/5 * * * * *" (every 5 s)' }),
  SIGNUP_ADDRESS: text(),
  CLUSTER_NAME: text(),
  /** Render worker threads: one keeps a cluster to one core, so N clusters scale across N cores. */
  RENDER_WORKERS: int(1, 64),
  LOG_LEVEL: oneOf(['error', 'warn', 'info', 'debug']),
  /** Fraction of ordinary requests written to the log (errors, slow and abandoned requests always are). */
  ACCESS_LOG_SAMPLE: fraction(),
  SLOW_REQUEST_MS: int(1, 600_000),
  /** Where the epoch this cluster promised to an election is kept (must survive a slave restart); empty = <tmpdir>/hscale-acceptor-<PORT>.json. */
  STATE_FILE: text(),
});
export type ClusterSettings = z.infer<typeof clusterSettingsSchema> & { advertised: AdvertisedAddress; name: string };

export function loadClusterSettings(env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const defaults = readDefaults(path.join(configDir(import.meta.url, env), 'cluster.json'));
  const s = loadSettings(clusterSettingsSchema, defaults, env);
  requireSecrets({ CLUSTER_SECRET: s.CLUSTER_SECRET }, s.INSECURE_DEV_MODE);
  return {
    ...s,
    STATE_FILE: s.STATE_FILE || path.join(os.tmpdir(), `hscale-acceptor-${s.PORT}.json`),
    advertised: new AdvertisedAddress(s.ADVERTISE_ADDRESS),
    name: s.CLUSTER_NAME || os.hostname(),
  };
}
