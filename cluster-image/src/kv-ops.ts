// One key-value operation against the leader's Redis, and the answer it gets: shared by the
// single routes (/keys/...) and the batch route (/internal/kv), so both answer alike.
import { HttpError, validateIfVersion, validateIncrBy, validateKey, validateListQuery, validateTtl, validateValue, type KvOp, type OpFence } from '@hscale/common';
import type { Leadership } from './leadership.js';
import type { LeaderStore, StoredValue, WriteOp, WriteOutcome } from './leader-store.js';
import type { Durability } from './replicated-writer.js';
import { NotReplicatedError } from './replicated-writer.js';
import { classifyRedisError } from './store/redis-errors.js';

export interface OpAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Retry-After for answers that say "try again". */
  retryAfter?: boolean;
}

/** 507 for a write refused for lack of room; on a retry, an earlier attempt of it may have been applied. */
const storeFull = (retry = false) =>
  new HttpError(
    507,
    'store_full',
    `the store is full (its Redis reached maxmemory, MAX_MEMORY, and EVICTION=none evicts nothing): ${retry ? 'this attempt was not applied (an earlier attempt of it may have been)' : 'this write was not applied'}; ` +
      'delete keys or give the clusters more memory',
  );
const retryable = (status: number, code: string, message: string) => new HttpError(status, code, message, { 'Retry-After': '1' });

/** Turns a failed Redis call into the answer the LB acts on (lb-image/src/routing/forwarder.ts). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof NotReplicatedError) return retryable(503, 'not_replicated', `${err.message}; the write may or may not be kept, retry it`);
  const f = classifyRedisError(err);
  switch (f.kind) {
    case 'leader':
      return retryable(503, 'leader_unavailable', `the leader's redis did not answer: ${f.message}`);
    case 'fenced':
      return Object.assign(new HttpError(409, 'fenced', `this write was given up by the LB and refused by the leader (writes below generation ${f.floor} are refused)`), { floor: f.floor });
    case 'epoch':
      return new HttpError(409, 'stale_epoch', f.message);
    case 'full':
      return storeFull();
    case 'request':
      return new HttpError(500, 'redis_error', `redis refused the operation: ${f.message}`);
  }
}

export function errorAnswer(err: unknown): OpAnswer {
  const e = toHttpError(err);
  const floor = (e as HttpError & { floor?: number }).floor;
  return { status: e.status, body: { error: e.code, message: e.message, ...(floor ? { floor } : {}) }, retryAfter: 'Retry-After' in e.headers };
}

function checkFence(f: OpFence | undefined): OpFence {
  if (!f || typeof f.writer !== 'string' || !f.writer || typeof f.opId !== 'string' || !f.opId || !Number.isInteger(f.generation) || f.generation < 0) {
    throw new HttpError(400, 'missing_fence', 'a write needs its fence: {writer, generation, opId}');
  }
  return f;
}

export async function onLeader<T>(leadership: Leadership, fn: (store: LeaderStore) => Promise<T>): Promise<T> {
  const store = leadership.leaderStore;
  if (!store) throw retryable(503, 'no_leader', 'this slave has not been told a leader yet');
  return fn(store);
}

const valueBody = (key: string, v: StoredValue) => ({ key, value: v.value, ttl: v.ttl, version: v.version });

/** A write's answer: what it did, or why it did nothing (412 and 409 change nothing). */
function writeAnswer(key: string, o: WriteOutcome, durability: Durability, ttl: number | null): OpAnswer {
  switch (o.kind) {
    case 'applied':
      return { status: 200, body: { key, ...(o.value === undefined ? { ttl } : { value: o.value }), version: o.version, durability } };
    case 'deleted':
      return { status: 200, body: { key, deleted: o.deleted, durability } };
    case 'version_mismatch':
      return { status: 412, body: { error: 'version_mismatch', message: `the key "${key}" is at version ${o.version}, not the version asked for; nothing was changed`, key, version: o.version } };
    case 'not_an_integer':
      return { status: 409, body: { error: 'not_an_integer', message: `the value of "${key}" is not a whole number, so it cannot be incremented; nothing was changed`, key, version: o.version } };
    case 'overflow':
      return { status: 409, body: { error: 'integer_overflow', message: `incrementing "${key}" would leave the signed 64-bit range; nothing was changed`, key, version: o.version } };
  }
}

async function runWrite(leadership: Leadership, epoch: number, fence: OpFence | undefined, w: WriteOp, ttl: number | null = null): Promise<OpAnswer> {
  const f = checkFence(fence);
  const { outcome, durability } = await onLeader(leadership, (s) => s.write({ epoch, ...f, retry: !!f.retry }, w)).catch((err) => {
    // A retry refused for lack of room may follow a first attempt that was applied.
    if (f.retry && classifyRedisError(err).kind === 'full') throw storeFull(true);
    throw err;
  });
  return writeAnswer(w.key, outcome, durability, ttl);
}

/** Runs one operation of `epoch`; never rejects (errors become their answer). */
export async function runKvOp(leadership: Leadership, epoch: number, op: KvOp, maxValueBytes: number): Promise<OpAnswer> {
  try {
    switch (op.op) {
      case 'get': {
        const key = validateKey(op.key);
        const found = await onLeader(leadership, (s) => s.get(epoch, key));
        if (!found) throw new HttpError(404, 'key_not_found', `no value is stored under key "${key}"`);
        return { status: 200, body: valueBody(key, found) };
      }
      case 'set': {
        const ttl = validateTtl(op.ttl);
        const value = validateValue(op.value, maxValueBytes);
        return await runWrite(leadership, epoch, op.fence, { op: 'set', key: validateKey(op.key), value, ttl, ifVersion: validateIfVersion(op.ifVersion) }, ttl ?? null);
      }
      case 'del':
        return await runWrite(leadership, epoch, op.fence, { op: 'del', key: validateKey(op.key), ifVersion: validateIfVersion(op.ifVersion) });
      case 'incr':
        return await runWrite(leadership, epoch, op.fence, { op: 'incr', key: validateKey(op.key), by: validateIncrBy(op.by), ifVersion: validateIfVersion(op.ifVersion) });
      case 'list': {
        const q = validateListQuery({ prefix: op.prefix, cursor: op.cursor, limit: op.limit === undefined ? undefined : String(op.limit) });
        return { status: 200, body: await onLeader(leadership, (s) => s.list(epoch, q, op.versions === true)) };
      }
      default:
        throw new HttpError(400, 'invalid_op', 'op must be get, set, del, incr or list');
    }
  } catch (err) {
    return errorAnswer(err);
  }
}

/**
 * The operations of one batch, answered in order. The reads go to Redis as one call (hs_get_many);
 * the writes each as their own call, group-committed by the writer with the other slaves'.
 */
export async function runKvBatch(leadership: Leadership, epoch: number, ops: KvOp[], maxValueBytes: number): Promise<OpAnswer[]> {
  const answers: OpAnswer[] = new Array(ops.length);
  const reads: { i: number; key: string }[] = [];
  const pending: Promise<void>[] = [];
  ops.forEach((op, i) => {
    if (op?.op !== 'get') {
      pending.push(runKvOp(leadership, epoch, op, maxValueBytes).then((a) => void (answers[i] = a)));
      return;
    }
    try {
      reads.push({ i, key: validateKey(op.key) });
    } catch (err) {
      answers[i] = errorAnswer(err);
    }
  });
  if (reads.length > 0) {
    pending.push(
      onLeader(leadership, (s) => s.getMany(epoch, reads.map((r) => r.key))).then(
        (found) =>
          reads.forEach(({ i, key }, j) => {
            const f = found[j];
            answers[i] = f
              ? { status: 200, body: valueBody(key, f) }
              : { status: 404, body: { error: 'key_not_found', message: `no value is stored under key "${key}"` } };
          }),
        (err) => {
          const a = errorAnswer(err);
          for (const { i } of reads) answers[i] = a;
        },
      ),
    );
  }
  await Promise.all(pending);
  return answers;
}
