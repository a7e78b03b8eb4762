// The internal HTTP API between the LB and the slaves. The public API is in CONTRACT.md;
// this part is ours and versioned with the code (both images are always built together). The
// bodies one side parses are zod schemas, in protocol-schemas.ts.

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
