// The replies of the library's functions (lua/), parsed: each function's reply shape is written
// once here, and a reply of another shape (a library of another version, a bug) is an error that
// names the function, never a value misread further on.
import { z } from 'zod';

export class UnexpectedReply extends Error {
  constructor(fn: string, issue: string) {
    super(`the leader's redis answered ${fn} with an unexpected reply (${issue})`);
  }
}

function parse<S extends z.ZodType>(fn: string, schema: S, reply: unknown): z.infer<S> {
  const r = schema.safeParse(reply);
  if (!r.success) throw new UnexpectedReply(fn, r.error.issues[0]?.message ?? 'wrong shape');
  return r.data;
}

const int = z.number().int();

// hs_get_v2, hs_get_many_v2: {value, ttl seconds or -1, version} or nil (lua/kv.lua, get).
const storedReply = z.tuple([z.string(), int, int]).nullable();

/** A stored value as a read sees it. */
export interface StoredValue {
  value: string;
  ttl: number | null;
  version: number;
}

const toStored = (r: z.infer<typeof storedReply>): StoredValue | null => (r ? { value: r[0], ttl: r[1] >= 0 ? r[1] : null, version: r[2] } : null);

export const parseStored = (reply: unknown) => toStored(parse('hs_get_v2', storedReply, reply));
export const parseStoredMany = (reply: unknown) => parse('hs_get_many_v2', z.array(storedReply), reply).map(toStored);

// hs_write_v3, hs_delete_v3: {code, version[, value]} (lua/kv.lua, write).
const outcomeReply = z.union([z.tuple([int, int]), z.tuple([int, int, z.string()])]);

/** What a write did. */
export type WriteOutcome =
  | { kind: 'applied'; version: number; value?: string }
  | { kind: 'deleted'; deleted: boolean }
  | { kind: 'version_mismatch'; version: number }
  | { kind: 'not_an_integer'; version: number }
  | { kind: 'overflow'; version: number };

// The codes of lua/kv.lua (NO_MATCH, NOT_INTEGER, OVERFLOW).
const REFUSALS = { [-1]: 'version_mismatch', [-2]: 'not_an_integer', [-3]: 'overflow' } as const;

export function parseOutcome(op: 'set' | 'del' | 'incr', reply: unknown): WriteOutcome {
  const [code, version, value] = parse(op === 'del' ? 'hs_delete_v3' : 'hs_write_v3', outcomeReply, reply);
  if (code < 0) {
    const kind = REFUSALS[code as keyof typeof REFUSALS];
    if (!kind) throw new UnexpectedReply('hs_write_v3', `code ${code}`);
    return { kind, version };
  }
  if (op === 'del') return { kind: 'deleted', deleted: code === 1 };
  return { kind: 'applied', version, ...(value === undefined ? {} : { value }) };
}

// A stream entry as XRANGE and XREAD give it: [id, [field, value, ...]].
const streamEntry = z.tuple([z.string(), z.array(z.string())]);

export interface Change {
  id: string;
  key: string;
  version: number;
  /** The new value; absent when the key is gone, or when it is too big to travel in the stream (valueOmitted). */
  value?: string;
  valueOmitted?: boolean;
  /** Why the key is gone. */
  gone?: 'deleted' | 'expired';
}

/** A change as lua/shared.lua's log_change writes it: k, v, then d (value), o (omitted) or x (gone). */
function toChange([id, fields]: z.infer<typeof streamEntry>): Change {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const c: Change = { id, key: f.get('k') ?? '', version: Number(f.get('v') ?? 0) };
  if (f.has('d')) c.value = f.get('d')!;
  else if (f.has('o')) c.valueOmitted = true;
  else c.gone = f.get('x') === 'expired' ? 'expired' : 'deleted';
  return c;
}

/** Changes after a watcher's position (lua/changes.lua). */
export interface ChangePage {
  /** false: the changes after the asked position are no longer all kept (list again). */
  complete: boolean;
  /** Where to resume: the id of the last change returned, or the asked position. */
  position: string;
  changes: Change[];
}

export function parseChanges(reply: unknown): ChangePage {
  const [status, position, entries] = parse('hs_changes', z.tuple([z.enum(['ok', 'reset']), z.string(), z.array(streamEntry)]), reply);
  return { complete: status === 'ok', position, changes: entries.map(toChange) };
}

/** XREAD of one stream (RESP2): [[stream, entries]] or nil: the id of the newest entry, or null. */
export function parseNewestId(reply: unknown): string | null {
  const streams = parse('XREAD', z.array(z.tuple([z.string(), z.array(streamEntry)])).nullable(), reply);
  const entries = streams?.[0]?.[1];
  return entries?.length ? entries[entries.length - 1]![0] : null;
}

/** hs_list_v2: {keys..., next} and, with versions, one version per key after next. */
export function parseListing(reply: unknown, withVersions: boolean): { keys: string[]; next: string; versions?: number[] } {
  const items = parse('hs_list_v2', z.array(z.union([z.string(), int])).min(1), reply);
  const n = withVersions ? (items.length - 1) / 2 : items.length - 1;
  const keys = items.slice(0, n);
  const next = items[n];
  const versions = items.slice(n + 1);
  if (!Number.isInteger(n) || typeof next !== 'string' || keys.some((k) => typeof k !== 'string') || versions.some((v) => typeof v !== 'number')) {
    throw new UnexpectedReply('hs_list_v2', withVersions ? 'not keys, next, then versions' : 'not keys, then next');
  }
  return { keys: keys as string[], next, ...(withVersions ? { versions: versions as number[] } : {}) };
}

/** An integer reply (hs_fence: the fence now in place; hs_tile_put: tiles dropped). */
export const parseInteger = (fn: string, reply: unknown): number => parse(fn, int, reply);

/** hs_tile_get: the PNG (asked for as bytes) or nil. */
export const parseTile = (reply: unknown): Buffer | null => parse('hs_tile_get', z.instanceof(Buffer).nullable(), reply);

/** hs_sweep_v3: {expired entries handled, 1 when the scan reached the end of the index else 0}. */
export function parseSweep(reply: unknown): { expired: number; scanDone: boolean } {
  const [expired, scanDone] = parse('hs_sweep_v3', z.tuple([int, int]), reply);
  return { expired, scanDone: scanDone === 1 };
}
