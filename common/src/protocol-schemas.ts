// The bodies of the internal API between the LB and the slaves (protocol.ts), defined once in zod:
// the receiving side parses with these schemas and the types are inferred from them, so a body that
// the compiler accepts is one the other side accepts. Bounds keep a malformed or absurd body (a bug,
// a compromised container) from steering an election or a router.
import { z } from 'zod';

/**
 * Epochs above this are refused: a thousand elections a second for thirty years stay below it,
 * and the LB can always elect above a claim without leaving the safe integers.
 */
export const MAX_EPOCH = 2 ** 40;

const epoch = z.int().min(0).max(MAX_EPOCH);
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const shortText = z.string().max(256);

export const RedisEndpointSchema = z.object({ host: z.string().min(1).max(253), port: z.int().min(1).max(65535) });

/** What the local Redis of a cluster is doing, as its slave sees it (from INFO). */
export const RedisRoleSchema = z.enum([
  'master', // serving writes
  'replica', // following another cluster's Redis
  'fenced', // booted (or restarted) and not yet told whom to follow: refuses writes and refuses to be a sync source
  'down',
]);

/** A slave's GET /health answer. */
export const SlaveHealthSchema = z.object({
  /** The cluster's identity (CLUSTER_NAME, or its host name): unique, and kept across restarts and addresses. */
  name: shortText.min(1),
  epoch,
  /**
   * The highest epoch this cluster promised to an election (kept on disk, so it survives a slave
   * restart): it refuses every assignment below it, and stopped acknowledging older leaders.
   */
  promised: epoch.default(0),
  /** How many clusters vote, as the assignment this cluster accepted counted them (0: none yet). */
  voters: z.int().min(0).max(100_000).default(0),
  /** The epoch of the leader whose data the local Redis holds (the fence in its data; 0: none). */
  dataEpoch: epoch.default(0),
  /** The LBs this slave heard from in the last minute, by name, and how long ago. */
  lbs: z.array(z.object({ name: shortText, heardMsAgo: count })).max(64).optional(),
  role: z.enum(['leader', 'follower', 'none']),
  leaderId: shortText.nullable(),
  /** Whether this slave's connection to the leader's Redis works. */
  leaderReachable: z.boolean(),
  redis: z.object({
    up: z.boolean(),
    role: RedisRoleSchema,
    /** How others reach this cluster's Redis (for replication and for slaves using it as leader). */
    endpoint: RedisEndpointSchema,
    /** Replication offset: how much of the write stream this Redis holds. Elections prefer the highest. */
    offset: count,
    runId: shortText.nullable(),
    /**
     * Replication history: master_replid, and master_replid2 (the history it continued from).
     * Offsets are comparable only between Redis servers that share a history.
     */
    replIds: z.array(shortText).max(2),
    /** second_repl_offset: up to which offset this Redis shares the history of master_replid2 (-1: none). */
    replOffset2: z.int().min(-1).max(Number.MAX_SAFE_INTEGER),
    /** A full sync is in progress: its data is being replaced, it must not be promoted. */
    syncing: z.boolean(),
    /** For a follower: whether its replication link to the leader is up. */
    linkUp: z.boolean(),
    connectedReplicas: count,
    /** Data size and its bound in bytes (max 0 = none), keys evicted since this Redis started, the eviction policy. */
    memory: z.object({ used: count, max: count, evictedKeys: count, policy: z.string().max(64) }).optional(),
    /** Keys in its Redis (internal ones included). */
    keys: count.optional(),
  }),
});

/** Sent by the LB to tell a slave the leader of an epoch (PUT /internal/leader). */
export const LeaderAssignmentSchema = z.object({
  // Any epoch an election can reach: one above the highest promise seen (up to MAX_EPOCH + 1).
  epoch: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  leaderId: z.string(),
  /**
   * The leader's own name (what its /health calls it), as the election or the LB's follow saw
   * it. An address can pass to another container (Docker reuses a stopped one's IP): a slave
   * refuses an assignment whose leader name says it is meant for another cluster.
   */
  leaderName: shortText.min(1),
  leader: RedisEndpointSchema,
  /** Whether the receiving slave is the leader. */
  youAreLeader: z.boolean(),
  /**
   * "election": this assignment comes from an election that compared replication offsets, so a
   * leader may promote its Redis even if it is not a master now. "sync": the LB is only bringing a
   * slave up to date; a leader whose Redis is not a master (it restarted and lost its data) must refuse.
   */
  reason: z.enum(['election', 'sync']),
  /** The clusters that vote in this epoch (the LB's membership): a write needs a majority of them. */
  voters: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  /**
   * An election's candidate: the run_id of the Redis it promised with. Refused if its Redis is
   * another one now (it restarted, empty, after the promise was counted).
   */
  expectRunId: z.string().max(64).optional(),
});

/** An election's first phase: "promise not to take part in anything older than `epoch`". */
export const PromiseRequestSchema = z.object({ epoch: z.int().min(1).max(Number.MAX_SAFE_INTEGER) });

/** A cluster's promise (POST /internal/promise, 200): its state once it stopped acknowledging the old leader. */
export const PromiseAnswerSchema = z.object({ promised: epoch, health: SlaveHealthSchema });
/** A refused promise (409 and others) names the epoch the cluster promised already, if any. */
export const PromiseRefusalSchema = z.object({ promised: epoch });

/** Body of PUT /internal/fence: refuse every write of `writer` below `generation` from now on. */
export const FenceRaiseSchema = z.object({ writer: z.string().min(1), generation: z.int().min(1).max(Number.MAX_SAFE_INTEGER) });

/**
 * Operations in one POST /internal/kv batch: the LB sends at most INTERNAL_BATCH_OPS (its batcher),
 * a slave refuses more than MAX_INTERNAL_BATCH_OPS.
 */
export const INTERNAL_BATCH_OPS = 256;
export const MAX_INTERNAL_BATCH_OPS = 1000;

export type RedisEndpoint = z.infer<typeof RedisEndpointSchema>;
export type RedisRole = z.infer<typeof RedisRoleSchema>;
export type SlaveHealth = z.infer<typeof SlaveHealthSchema>;
export type LeaderAssignment = z.infer<typeof LeaderAssignmentSchema>;
export type PromiseAnswer = z.infer<typeof PromiseAnswerSchema>;
export type FenceRaise = z.infer<typeof FenceRaiseSchema>;
