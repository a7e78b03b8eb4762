// Parsing of INFO output: the facts about a Redis that elections and health depend on.
import type { RedisRole } from '@hscale/common';

/**
 * redis.conf boots every Redis as a replica of this unreachable address ("fenced"). A fenced Redis
 * refuses writes and refuses to be a SYNC source (-NOMASTERLINK), so a leader's Redis that restarts
 * empty cannot wipe its followers by resyncing them. Only its slave lifts the fence.
 */
export const FENCE = { host: '127.0.0.1', port: 1 } as const;

export interface RedisInfo {
  role: Exclude<RedisRole, 'down'>;
  masterHost: string | null;
  masterPort: number | null;
  linkUp: boolean;
  offset: number;
  runId: string;
  /** master_replid and master_replid2 (all zeros = none). */
  replIds: string[];
  replOffset2: number;
  syncing: boolean;
  connectedReplicas: number;
  /** INFO memory and stats: data size, its bound (0 = none), keys evicted since start, the policy. */
  memory: { used: number; max: number; evictedKeys: number; policy: string };
  /** INFO keyspace: keys in database 0, the internal ones included. */
  keys: number;
}

const NO_REPLID = /^0+$/;

export function parseInfo(raw: string): RedisInfo {
  const f = new Map<string, string>();
  for (const line of raw.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) f.set(line.slice(0, i), line.slice(i + 1));
  }
  const isMaster = f.get('role') === 'master';
  const masterHost = f.get('master_host') ?? null;
  const masterPort = f.has('master_port') ? Number(f.get('master_port')) : null;
  const fenced = !isMaster && masterHost === FENCE.host && masterPort === FENCE.port;
  return {
    role: isMaster ? 'master' : fenced ? 'fenced' : 'replica',
    masterHost,
    masterPort,
    linkUp: f.get('master_link_status') === 'up',
    offset: Number(f.get('master_repl_offset') ?? 0),
    runId: f.get('run_id') ?? '',
    replIds: [f.get('master_replid'), f.get('master_replid2')].filter((id): id is string => !!id && !NO_REPLID.test(id)),
    replOffset2: Number(f.get('second_repl_offset') ?? -1),
    syncing: f.get('master_sync_in_progress') === '1',
    connectedReplicas: Number(f.get('connected_slaves') ?? 0),
    memory: {
      used: Number(f.get('used_memory') ?? 0),
      max: Number(f.get('maxmemory') ?? 0),
      evictedKeys: Number(f.get('evicted_keys') ?? 0),
      policy: f.get('maxmemory_policy') ?? 'noeviction',
    },
    keys: Number(/(?:^|,)keys=(\d+)/.exec(f.get('db0') ?? '')?.[1] ?? 0),
  };
}
