// The internal HTTP API between the LB and the slaves. The public API is in CONTRACT.md;
// this part is ours and versioned with the code (both images are always built together).

/** Header carrying the LB's current epoch on every KV request; a slave on another epoch answers 409. */
export const EPOCH_HEADER = 'x-leader-epoch';
/** Every request of an LB to a slave names the LB (its LB_NAME): the clusters list the LBs they hear from. */
export const LB_HEADER = 'x-hscale-lb';
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The fencing token of a write (README, "Fencing"): who writes (the slave, as the LB names it) with
 * which generation, and the operation's id, the same for every attempt of one client request.
 * The leader's Redis refuses a write whose epoch is not its own or whose generation is below the
 * writer's fence; a retry first looks up whether an earlier attempt of the operation was applied.
 */
export const FENCE_HEADERS = {
  writer: 'x-writer',
  generation: 'x-writer-generation',
  opId: 'x-op-id',
  retry: 'x-retry',
} as const;

/** On a 409 "fenced" answer: the writer's current fence (the lowest generation the leader accepts). */
export const FENCE_FLOOR_HEADER = 'x-fence-floor';

export interface FenceToken {
  epoch: number;
  writer: string;
  generation: number;
  opId: string;
  /** An earlier attempt of this operation may have been applied. */
  retry: boolean;
}

/** Body of PUT /internal/fence: refuse every write of `writer` below `generation` from now on. */
export interface FenceRaise {
  writer: string;
  generation: number;
}

/** What the local Redis of a cluster is doing, as its slave sees it (from INFO). */
export type RedisRole =
  | 'master' // serving writes
  | 'replica' // following another cluster's Redis
  | 'fenced' // booted (or restarted) and not yet told whom to follow: refuses writes and refuses to be a sync source
  | 'down';

export interface RedisEndpoint {
  host: string;
  port: number;
}

export interface SlaveHealth {
  name: string;
  epoch: number;
  /**
   * The highest epoch this cluster promised to an election (kept on disk, so it survives a slave
   * restart): it refuses every assignment below it, and stopped acknowledging older leaders.
   */
  promised: number;
  /** How many clusters vote, as the assignment this cluster accepted counted them (0: none yet). */
  voters: number;
  /** The epoch of the leader whose data the local Redis holds (the fence in its data; 0: none). */
  dataEpoch: number;
  /** The LBs this slave heard from in the last minute, by name, and how long ago. */
  lbs?: { name: string; heardMsAgo: number }[];
  role: 'leader' | 'follower' | 'none';
  leaderId: string | null;
  /** Whether this slave's connection to the leader's Redis works. */
  leaderReachable: boolean;
  redis: {
    up: boolean;
    role: RedisRole;
    /** How others reach this cluster's Redis (for replication and for slaves using it as leader). */
    endpoint: RedisEndpoint;
    /** Replication offset: how much of the write stream this Redis holds. Elections prefer the highest. */
    offset: number;
    runId: string | null;
    /**
     * Replication history: master_replid, and master_replid2 (the history it continued from).
     * Offsets are comparable only between Redis servers that share a history.
     */
    replIds: string[];
    /** second_repl_offset: up to which offset this Redis shares the history of master_replid2 (-1: none). */
    replOffset2: number;
    /** A full sync is in progress: its data is being replaced, it must not be promoted. */
    syncing: boolean;
    /** For a follower: whether its replication link to the leader is up. */
    linkUp: boolean;
    connectedReplicas: number;
    /** Data size and its bound in bytes (max 0 = none), keys evicted since this Redis started, the eviction policy. */
    memory?: { used: number; max: number; evictedKeys: number; policy: string };
    /** Keys in its Redis (internal ones included). */
    keys?: number;
  };
}

/** Sent by the LB to tell a slave the leader of an epoch. */
export interface LeaderAssignment {
  epoch: number;
  leaderId: string;
  leader: RedisEndpoint;
  /** Whether the receiving slave is the leader. */
  youAreLeader: boolean;
  /**
   * "election": this assignment comes from an election that compared replication offsets, so a
   * leader may promote its Redis even if it is not a master now. "sync": the LB is only bringing a
   * slave up to date; a leader whose Redis is not a master (it restarted and lost its data) must refuse.
   */
  reason: 'election' | 'sync';
  /** The clusters that vote in this epoch (the LB's membership): a write needs a majority of them. */
  voters: number;
  /**
   * An election's candidate: the run_id of the Redis it promised with. Refused if its Redis is
   * another one now (it restarted, empty, after the promise was counted).
   */
  expectRunId?: string;
}

/** An election's first phase: "promise not to take part in anything older than `epoch`". */
export interface PromiseRequest {
  epoch: number;
}

/** A cluster's promise: its state once it stopped acknowledging the old leader. */
export interface PromiseAnswer {
  promised: number;
  health: SlaveHealth;
}

export interface KvWriteResult {
  key: string;
  /** What the acknowledgement promises: "replica" = held by a majority of the clusters (the leader and followerAcksNeeded followers); "leader" = by the leader only (a fleet of one, or two with the follower gone). */
  durability: 'replica' | 'leader';
}

/** What a write needs besides its data: see FENCE_HEADERS. */
export interface OpFence {
  writer: string;
  generation: number;
  opId: string;
  /** An earlier attempt may have been applied: the leader looks it up first. */
  retry?: boolean;
}

/** One key-value operation, as the LB sends it to a slave (inside POST /internal/kv). */
export type KvOp =
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: string; ttl?: number; ifVersion?: number; fence: OpFence }
  | { op: 'del'; key: string; ifVersion?: number; fence: OpFence }
  /** `by`: a signed 64-bit integer, as decimal text (a JSON number would round it). */
  | { op: 'incr'; key: string; by: string; ifVersion?: number; fence: OpFence }
  | { op: 'list'; prefix: string; cursor?: string; limit: number; versions?: boolean };

/**
 * POST /internal/kv: operations of one epoch that the LB gathered for this slave, run together
 * (one Redis pipeline, writes group-committed). The answer has one line per operation, in order:
 * `<status> <JSON body>\n`, the same status and body the single routes would give.
 */
export interface KvBatch {
  epoch: number;
  /** Request id of each operation, for the slave's log (same order as ops). */
  ids?: string[];
  ops: KvOp[];
}
