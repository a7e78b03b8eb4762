// The bodies of the key-value API, defined once: the OpenAPI document's schemas are generated from
// these (lb-image/src/openapi/), the TypeScript types are inferred from them, and the limits are
// the constants the validators (kv-validation.ts) enforce. api/index.ts names each one for the document.
import { z } from 'zod';
import { CHANGE_ID_PATTERN } from '../change-ids.js';
import { INCR_BY_PATTERN, MAX_BATCH_OPS, MAX_TTL_SECONDS, MAX_VERSION } from '../kv-validation.js';

export const ErrorBody = z
  .object({
    error: z.string().regex(/^[a-z_]+$/).meta({ description: 'A stable code for programs.', examples: ['key_not_found'] }),
    message: z.string().meta({ description: 'What happened, for a person.' }),
  })
  .meta({ description: 'Every error answer.' });

export const Version = z
  .int()
  .min(0)
  .max(MAX_VERSION)
  .meta({
    description: 'How many times the key was written since it last did not exist: 1 after its first write, +1 with each write or increment, 0 for a key that does not exist.',
  });

export const Durability = z.enum(['replica', 'leader']).meta({
  description: '`replica`: the leader and at least one follower hold the write. `leader`: only the leader does (no follower connected, or WRITE_ACK=leader); lost if the leader dies before a follower copies it.',
});

const ttlLeft = z.int().min(0).max(MAX_TTL_SECONDS).nullable();

export const Value = z
  .object({ key: z.string(), value: z.string(), ttl: ttlLeft.meta({ description: 'Seconds until it expires; null if it never does.' }), version: Version })
  .meta({ examples: [{ key: 'greeting', value: 'hello', ttl: null, version: 3 }] });

export const Written = z
  .object({ key: z.string(), ttl: z.int().min(1).max(MAX_TTL_SECONDS).nullable(), version: Version, durability: Durability })
  .meta({ examples: [{ key: 'greeting', ttl: null, version: 4, durability: 'replica' }] });

export const Incremented = z
  .object({
    key: z.string(),
    value: z
      .string()
      .regex(/^-?[0-9]+$/)
      .meta({ description: 'The new value: a signed 64-bit integer, as text (as GET shows it; a JSON number would round it past 2^53).' }),
    version: Version,
    durability: Durability,
  })
  .meta({ examples: [{ key: 'visits', value: '42', version: 42, durability: 'replica' }] });

export const VersionConflict = ErrorBody.extend({ key: z.string(), version: Version }).meta({
  description: 'Nothing was changed: the key is at `version` (the one to compare with next time).',
});

export const WatchEvent = z
  .object({
    key: z.string(),
    version: Version,
    value: z.string(),
    value_omitted: z.boolean(),
    deleted: z.boolean(),
    reason: z.enum(['deleted', 'expired']),
    position: z.string().regex(CHANGE_ID_PATTERN),
    message: z.string(),
  })
  .partial()
  .meta({
    description:
      '`event: change`: `{key, version, value}` (`{key, version, value_omitted: true}` for a value over 1 KiB: GET it), or `{key, version: 0, deleted: true, reason: "deleted" | "expired"}` when the key is gone. ' +
      '`event: ready` (first): `{position}`, where the stream starts. `event: reset`: `{position, message}`: changes after the asked position are no longer kept; list the keys again, then go on.',
  });

export const Deleted = z
  .object({ key: z.string(), deleted: z.boolean().meta({ description: 'Whether the key existed.' }), durability: Durability });

export const KeyPage = z
  .object({
    keys: z.array(z.string()),
    versions: z.array(Version).optional().meta({ description: 'With `versions=true`: the version of each key, in the same order.' }),
    cursor: z.string().nullable().meta({ description: 'Pass it back as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ examples: [{ keys: ['greeting'], cursor: null }] });

export const SetForm = z
  .object({
    key: z.string(),
    value: z.string(),
    ttl: z.union([z.int(), z.string()]).optional().meta({ description: 'Seconds until the key expires (a whole number, also as text).' }),
  });

export const BatchOp = z
  .object({
    op: z.enum(['get', 'set', 'del', 'incr']),
    key: z.string(),
    value: z.string().optional().meta({ description: 'For `set`.' }),
    ttl: z.int().min(1).max(MAX_TTL_SECONDS).optional().meta({ description: 'For `set`: seconds until the key expires.' }),
    if_version: Version.optional().meta({ description: 'For `set`, `del` and `incr`: only if the key is at this version (0 = absent); else status 412.' }),
    by: z
      .string()
      .regex(INCR_BY_PATTERN)
      .optional()
      .meta({ description: 'For `incr`: the signed 64-bit amount (default "1").' }),
  });

export const BatchRequest = z
  .object({ ops: z.array(BatchOp).max(MAX_BATCH_OPS) })
  .meta({ examples: [{ ops: [{ op: 'set', key: 'a', value: '1', ttl: 60 }, { op: 'get', key: 'greeting' }, { op: 'del', key: 'b' }] }] });

export const BatchResult = z
  .object({ status: z.int().min(200).max(599) })
  .and(z.union([Value, Written, Incremented, Deleted, ErrorBody]))
  .meta({ description: "The operation's HTTP status, then the body the single route would have answered." });

export const BatchResponse = z.object({ results: z.array(BatchResult) });
