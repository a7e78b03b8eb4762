// What a failed Redis call means for the request and for the system. Only a failure to reach or
// hear from the leader's Redis (or a Redis that is no longer a working leader) is the leader's
// failure: the LB counts those and may elect. Any other reply error is that request's own problem,
// so no client input can push the system into an election.
import { ErrorReply } from 'redis';

export type RedisFailure =
  /** The leader's Redis did not answer, or is not a working leader (restarted, read-only, loading). */
  | { kind: 'leader'; message: string }
  /** Refused by the writer fence: this attempt was given up by the LB. Nothing was applied. */
  | { kind: 'fenced'; floor: number; message: string }
  /** The leader's Redis serves another epoch than the request. Nothing was applied. */
  | { kind: 'epoch'; message: string }
  /** The store is full (maxmemory reached, nothing to evict): the write was refused, nothing applied. */
  | { kind: 'full'; message: string }
  /** The request's own problem (a reply error): nothing to do with the leader's health. */
  | { kind: 'request'; message: string };

/** Reply errors that say "this Redis is not (or not yet) a working leader". */
const LEADER_REPLY_ERRORS = /^(READONLY|MASTERDOWN|LOADING|NOREPLICAS|HSNOEPOCH|BUSY|ERR Function not found)/;

export function classifyRedisError(err: unknown): RedisFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ErrorReply)) return { kind: 'leader', message }; // connection, timeout, closed
  const fenced = /^HSFENCED (\d+)/.exec(message);
  if (fenced) return { kind: 'fenced', floor: Number(fenced[1]), message };
  if (message.startsWith('HSEPOCH')) return { kind: 'epoch', message };
  if (message.startsWith('OOM ')) return { kind: 'full', message };
  if (LEADER_REPLY_ERRORS.test(message)) return { kind: 'leader', message };
  return { kind: 'request', message };
}
