// Checks of a chaos run beyond one key's register: listings (GET /keys with cursors) against the
// key-value history, and each cluster's listing index against its keys at the end. Pure, like
// checker.ts, which calls it.
import type { Op } from './checker.ts';

export interface Listing {
  client: number;
  /** When the first page was asked for and when the last one arrived. */
  start: number;
  end: number;
  /** Every key of every page, in the order received (the run's keys only: listed by their prefix). */
  keys: string[];
}

export interface IndexSnapshot {
  cluster: string;
  /** The run's keys that the cluster's Redis holds, and those its listing index names. */
  present: string[];
  indexed: string[];
}

const writes = (ops: Op[]) => ops.filter((o) => o.kind !== 'get' && o.outcome !== 'fail');

/**
 * Whether the key certainly existed from before `from` until `to`: an acknowledged put ended before
 * `from`, and every delete that may have taken effect ended before that put began.
 */
export function presentThroughout(keyOps: Op[], from: number, to: number): boolean {
  const w = writes(keyOps);
  const dels = w.filter((o) => o.kind === 'del');
  return w.some(
    (p) => p.kind === 'put' && p.outcome === 'ok' && p.end < from && dels.every((d) => d.outcome === 'ok' && d.end < p.start),
  ) && !dels.some((d) => d.start < to && d.outcome !== 'ok');
}

/**
 * Whether the key certainly did not exist from `from` to `to`: no put that may have taken effect
 * began before `to`, or every such put was acknowledged and ended before an acknowledged delete
 * that ended before `from`.
 */
export function absentThroughout(keyOps: Op[], from: number, to: number): boolean {
  const w = writes(keyOps);
  const puts = w.filter((o) => o.kind === 'put' && o.start < to);
  if (puts.length === 0) return true;
  return w.some(
    (d) => d.kind === 'del' && d.outcome === 'ok' && d.end < from && puts.every((p) => p.outcome === 'ok' && p.end < d.start),
  );
}

/** Listings that broke the contract: a key present throughout missing or repeated, a key absent throughout listed. */
export function checkListings(listings: Listing[], ops: Op[], keys: string[]): string[] {
  const byKey = new Map<string, Op[]>(keys.map((k) => [k, []]));
  for (const o of ops) byKey.get(o.key)?.push(o);
  const problems: string[] = [];
  for (const l of listings) {
    const count = new Map<string, number>();
    for (const k of l.keys) count.set(k, (count.get(k) ?? 0) + 1);
    const when = `listing by client ${l.client} [${l.start.toFixed(1)}, ${l.end.toFixed(1)}] ms`;
    for (const [key, keyOps] of byKey) {
      const n = count.get(key) ?? 0;
      if (n !== 1 && presentThroughout(keyOps, l.start, l.end)) problems.push(`${when}: ${JSON.stringify(key)}, present throughout, was listed ${n} times`);
      if (n > 0 && absentThroughout(keyOps, l.start, l.end)) problems.push(`${when}: ${JSON.stringify(key)}, absent throughout, was listed`);
    }
  }
  return problems;
}

/** Clusters whose listing index does not name exactly the keys they hold. */
export function checkIndexes(snapshots: IndexSnapshot[]): string[] {
  return snapshots.flatMap((s) => {
    const indexed = new Set(s.indexed);
    const present = new Set(s.present);
    const unindexed = s.present.filter((k) => !indexed.has(k));
    const ghosts = s.indexed.filter((k) => !present.has(k));
    if (unindexed.length === 0 && ghosts.length === 0) return [];
    return [`${s.cluster}: index misses ${JSON.stringify(unindexed)} and names absent keys ${JSON.stringify(ghosts)}`];
  });
}
