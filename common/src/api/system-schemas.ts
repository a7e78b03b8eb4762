// The bodies of the system routes (health, leader, clusters, sign-up, events, dashboard), defined
// once like kv-schemas.ts: the OpenAPI document is generated from these, the LB's answers are typed
// by them, and POST /servers validates its body with SignUp.
import { z } from 'zod';

const count = z.int().min(0);

export const EVENT_KINDS = ['election', 'leader-adopted', 'no-leader', 'cluster-joined', 'cluster-left', 'cluster-healthy', 'cluster-unhealthy', 'fenced', 'lb-started'] as const;

export const LeaderRef = z
  .object({
    id: z.string().meta({ description: 'The cluster, as `address:port`.' }),
    address: z.string(),
    epoch: z.int().min(1).meta({ description: 'Grows with every election; never reused.' }),
  });

export const Leader = LeaderRef.extend({ available: z.boolean().meta({ description: 'False while requests are held (an election is under way).' }) });

export const Health = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    leader: LeaderRef.nullable(),
    clusters: z.object({ total: count, healthy: count }),
  });

export const Readiness = Health.extend({ ready: z.boolean() });

export const LbList = z
  .object({
    self: z.string().meta({ description: "This LB's name (LB_NAME)." }),
    lbs: z
      .array(
        z.object({
          name: z.string(),
          heardMsAgo: count.meta({ description: 'Since a cluster last heard from it (0 for this LB).' }),
          clusters: count.meta({ description: 'How many clusters heard from it.' }),
        }),
      )
      .meta({ description: 'This LB first, then every other LB the clusters heard from in the last minute.' }),
  });

const port = z.int().min(1).max(65535);

const RedisMemory = z.object({
  used: count.meta({ description: 'Bytes.' }),
  max: count.meta({ description: 'Bytes; 0 = no bound.' }),
  evictedKeys: count,
  policy: z.string().meta({ examples: ['noeviction', 'volatile-lru'] }),
});

export const Server = z
  .object({
    id: z.string().meta({ description: '`address:port`' }),
    address: z.string(),
    port,
    name: z.string().nullable().meta({ description: 'The name the cluster gives itself, once known.' }),
    dnsName: z.string().nullable().meta({ description: "The container's name by reverse DNS (Docker's, or Kubernetes' name of the pod address), if it has one." }),
    healthy: z.boolean(),
    role: z.enum(['leader', 'follower']),
    failures: count.meta({ description: 'Failed health probes in a row.' }),
    source: z.enum(['dns', 'static', 'registered']).meta({ description: 'How the LB knows it.' }),
    epoch: z.int().nullable().meta({ description: 'The epoch the cluster reports; null before its first answer.' }),
    redis: z
      .object({
        role: z.enum(['master', 'replica', 'fenced', 'down']),
        offset: count.meta({ description: 'Replication offset: how much of the write stream it holds.' }),
        lag: count.nullable().optional().meta({ description: "A follower's bytes of the leader's stream not applied yet; null for the leader." }),
        keys: count.nullable().optional().meta({ description: 'Keys in its Redis, internal ones included.' }),
        memory: RedisMemory.nullable(),
      })
      .nullable()
      .meta({ description: "The cluster's Redis, as last reported; null before its first answer." }),
  });

/** A host name or IPv4 address (what a slave signs up with). */
export const HOST_NAME = /^[A-Za-z0-9.-]{1,253}$/;
export const MAX_SERVER_NAME_LENGTH = 100;

export const SignUp = z
  .object({
    address: z.string().regex(HOST_NAME).meta({ description: 'Host name or IPv4 address where the LB reaches the slave.' }),
    port,
    name: z.string().max(MAX_SERVER_NAME_LENGTH).optional(),
  });

export const SignedUp = z
  .object({
    id: z.string(),
    new: z.boolean().meta({ description: 'False when this renews an earlier sign-up.' }),
    renewWithinSeconds: count,
  });

export const Event = z
  .object({
    seq: z.int().min(1).meta({ description: '1, 2, 3, ... since the LB started.' }),
    time: z.iso.datetime(),
    kind: z.enum(EVENT_KINDS),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  });

export const EventList = z.object({ events: z.array(Event) });

const Traffic = z.object({
  t: z.int().meta({ description: 'End of that second, in milliseconds since 1970.' }),
  requests: count,
  byRoute: z.record(z.string(), z.int()).meta({ description: 'Requests by route pattern.' }),
  byStatus: z.record(z.string(), z.int()).meta({ examples: [{ '2xx': 120, '3xx': 0, '4xx': 2, '5xx': 0 }] }),
  p50: z.number().nullable().meta({ description: 'Median latency in milliseconds; null without requests.' }),
  p99: z.number().nullable(),
});

export const DashboardState = z
  .object({
    health: Health,
    servers: z.array(Server),
    traffic: Traffic.nullable().optional().meta({ description: "The LB's requests in the last second; null in the first message." }),
  });

export type HealthBody = z.infer<typeof Health>;
export type LeaderBody = z.infer<typeof Leader>;
export type LbListBody = z.infer<typeof LbList>;
export type ServerBody = z.infer<typeof Server>;
export type SignUpBody = z.infer<typeof SignUp>;
export type SignedUpBody = z.infer<typeof SignedUp>;
