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

/**
 * One key's writes, indexed so that each question below takes a binary search, not a scan: a run
 * has thousands of listings and thousands of writes per key.
 */
export class KeyWrites {
  private readonly okPuts: { end: number; latestStart: number }[];
  private readonly okDels: { end: number; latestStart: number }[];
  private readonly puts: { start: number; reach: number }[];
  private readonly dels: { start: number; reach: number }[];

  constructor(keyOps: Op[]) {
    const w = keyOps.filter((o) => o.kind !== 'get' && o.outcome !== 'fail');
    this.okPuts = KeyWrites.byEnd(w.filter((o) => o.kind === 'put' && o.outcome === 'ok'));
    this.okDels = KeyWrites.byEnd(w.filter((o) => o.kind === 'del' && o.outcome === 'ok'));
    this.puts = KeyWrites.byStart(w.filter((o) => o.kind === 'put'));
    this.dels = KeyWrites.byStart(w.filter((o) => o.kind === 'del'));
  }

  /** Sorted by end, with the latest start among those that ended so far. */
  private static byEnd(ops: Op[]) {
    let latest = -Infinity;
    return [...ops].sort((a, b) => a.end - b.end).map((o) => ({ end: o.end, latestStart: (latest = Math.max(latest, o.start)) }));
  }

  /** Sorted by start, with how late any of them so far may take effect (without an answer: any time). */
  private static byStart(ops: Op[]) {
    let reach = -Infinity;
    return [...ops].sort((a, b) => a.start - b.start).map((o) => ({ start: o.start, reach: (reach = Math.max(reach, o.outcome === 'ok' ? o.end : Infinity)) }));
  }

  /** How many entries of `list` (sorted by `at`) have `at(entry) < t`. */
  private static countBefore<T>(list: T[], at: (e: T) => number, t: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at(list[mid]!) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The latest start of an acknowledged write (of `list`) that ended before `t`, or null. */
  private static latestEndedBefore(list: { end: number; latestStart: number }[], t: number): number | null {
    const n = KeyWrites.countBefore(list, (e) => e.end, t);
    return n === 0 ? null : list[n - 1]!.latestStart;
  }

  /** Whether a write of `list` sent before `t` may take effect after `after`. */
  private static mayLandAfter(list: { start: number; reach: number }[], t: number, after: number): boolean {
    const n = KeyWrites.countBefore(list, (e) => e.start, t);
    return n > 0 && list[n - 1]!.reach > after;
  }

  /**
   * Whether the key certainly existed from `from` until `to`: an acknowledged put ended before
   * `from`, and no delete sent before `to` may take effect after that put began.
   */
  presentThroughout(from: number, to: number): boolean {
    const put = KeyWrites.latestEndedBefore(this.okPuts, from);
    return put !== null && !KeyWrites.mayLandAfter(this.dels, to, put);
  }

  /**
   * Whether the key certainly did not exist from `from` to `to`: no put was sent before `to`, or
   * an acknowledged delete ended before `from` and no put sent before `to` may take effect after
   * that delete began.
   */
  absentThroughout(from: number, to: number): boolean {
    if (!KeyWrites.mayLandAfter(this.puts, to, -Infinity)) return true;
    const del = KeyWrites.latestEndedBefore(this.okDels, from);
    return del !== null && !KeyWrites.mayLandAfter(this.puts, to, del);
  }
}

/** Listings that broke the contract: a key present throughout missing or repeated, a key absent throughout listed. */
export function checkListings(listings: Listing[], ops: Op[], keys: string[]): string[] {
  const opsOf = new Map<string, Op[]>(keys.map((k) => [k, []]));
  for (const o of ops) opsOf.get(o.key)?.push(o);
  const byKey = new Map([...opsOf].map(([k, keyOps]) => [k, new KeyWrites(keyOps)]));
  const problems: string[] = [];
  for (const l of listings) {
    const count = new Map<string, number>();
    for (const k of l.keys) count.set(k, (count.get(k) ?? 0) + 1);
    const when = `listing by client ${l.client} [${l.start.toFixed(1)}, ${l.end.toFixed(1)}] ms`;
    for (const [key, writes] of byKey) {
      const n = count.get(key) ?? 0;
      if (n !== 1 && writes.presentThroughout(l.start, l.end)) problems.push(`${when}: ${JSON.stringify(key)}, present throughout, was listed ${n} times`);
      if (n > 0 && writes.absentThroughout(l.start, l.end)) problems.push(`${when}: ${JSON.stringify(key)}, absent throughout, was listed`);
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
