// Clients of a chaos run: reads, writes of unique values (some with a TTL) and deletes on a small
// key set, alone or in batches (POST /batch), counters stepped by increments and compare-and-set,
// and listings by cursor, through the LBs (each client
// picks one at random for each request), each recorded with when it was sent, when it was answered
// and what the answer said.
import { performance } from 'node:perf_hooks';
import type { Op } from './checker.ts';
import type { CounterOp } from './counter-check.ts';
import type { Listing } from './listing-check.ts';

export type Random = () => number;

/** A small, seedable generator (mulberry32): the same seed gives the same run of choices. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REQUEST_TIMEOUT_MS = 15_000;

/** Errors that prove the request never reached the LB (so it cannot have taken effect). */
const NOT_SENT = /ECONNREFUSED/;

/** A TTL long enough that no key expires during a run: what is checked is that it survives faults. */
export const CHAOS_TTL_S = 3600;

type OpRequest = Pick<Op, 'client' | 'key' | 'kind' | 'value' | 'ttl'>;

type Answer = Pick<Op, 'outcome' | 'result' | 'found' | 'ttl'>;

/** What one answer (of a single request or of one batch entry) says about the operation. */
function outcomeOf(op: OpRequest, status: number, body: { value?: unknown; error?: unknown; deleted?: unknown; ttl?: unknown }): Answer {
  if (op.kind === 'get') {
    const ttl = typeof body.ttl === 'number' || body.ttl === null ? { ttl: body.ttl as number | null } : {};
    // A 200 whose body did not arrive whole says nothing about the value: not a read of null.
    if (status === 200) return typeof body.value === 'string' ? { outcome: 'ok', result: body.value, ...ttl } : { outcome: 'unknown' };
    if (status === 404 && body.error === 'key_not_found') return { outcome: 'ok', result: null };
    return { outcome: 'unknown' };
  }
  if (status >= 200 && status < 300) return op.kind === 'del' && typeof body.deleted === 'boolean' ? { outcome: 'ok', found: body.deleted } : { outcome: 'ok' };
  return { outcome: status >= 400 && status < 500 ? 'fail' : 'unknown' };
}

/** Whether a failed fetch proves the request never reached the LB. */
const notSent = (err: unknown) => {
  const cause = (err as Error & { cause?: Error }).cause;
  return NOT_SENT.test(String(cause?.message ?? cause ?? ''));
};

/** The recorded operation: what was asked, what the answer said, when it was sent and answered. */
function recorded(op: OpRequest, start: number, answer: Answer, status?: number, final = false): Op {
  return {
    ...op,
    ...answer,
    ...(op.kind === 'put' ? { ttl: op.ttl ?? null } : {}),
    start,
    end: performance.now(),
    ...(status !== undefined ? { status } : {}),
    ...(final ? { final } : {}),
  };
}

export async function runOp(lbUrl: string, op: OpRequest, final = false): Promise<Op> {
  const start = performance.now();
  const url = `${lbUrl}/keys/${encodeURIComponent(op.key)}${op.kind === 'put' && op.ttl ? `?ttl=${op.ttl}` : ''}`;
  const init: RequestInit = { method: op.kind === 'get' ? 'GET' : op.kind === 'put' ? 'PUT' : 'DELETE', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (op.kind === 'put') init.body = op.value!;
  const done = (answer: Answer, status?: number) => recorded(op, start, answer, status, final);
  try {
    const res = await fetch(url, init);
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return done(outcomeOf(op, res.status, body), res.status);
  } catch (err) {
    return done({ outcome: notSent(err) ? 'fail' : 'unknown' });
  }
}

/** Several operations in one POST /batch: each gets its own answer, all share the batch's interval. */
export async function runBatch(lbUrl: string, ops: OpRequest[]): Promise<Op[]> {
  const start = performance.now();
  const body = { ops: ops.map((o) => ({ op: o.kind === 'put' ? 'set' : o.kind, key: o.key, ...(o.kind === 'put' ? { value: o.value, ...(o.ttl ? { ttl: o.ttl } : {}) } : {}) })) };
  const record = (o: OpRequest, answer: Answer, status?: number) => recorded(o, start, answer, status);
  try {
    const res = await fetch(`${lbUrl}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const answer = (await res.json().catch(() => ({}))) as { results?: { status?: unknown }[] };
    const results = res.status === 200 && Array.isArray(answer.results) && answer.results.length === ops.length ? answer.results : null;
    return ops.map((o, i) => {
      const r = results?.[i];
      if (!r || typeof r.status !== 'number') return record(o, outcomeOf(o, res.status === 200 ? 502 : res.status, {}), res.status);
      return record(o, outcomeOf(o, r.status, r as Record<string, unknown>), r.status);
    });
  } catch (err) {
    return ops.map((o) => record(o, { outcome: notSent(err) ? 'fail' : 'unknown' }));
  }
}

/**
 * Every key under `prefix`, page by page (small pages, so that a listing spans many requests);
 * null if a page was not answered (such a listing proves nothing).
 */
export async function runListing(lbUrl: () => string, client: number, prefix: string, pageSize: number): Promise<Listing | null> {
  const start = performance.now();
  const keys: string[] = [];
  let cursor: string | null = '';
  for (let pages = 0; cursor !== null && pages < 1000; pages++) {
    const q: URLSearchParams = new URLSearchParams({ prefix, limit: String(pageSize), ...(cursor ? { cursor } : {}) });
    const page: { keys: string[]; cursor: string | null } | null = (await fetch(`${lbUrl()}/keys?${q}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
      .then(async (r) => (r.status === 200 ? ((await r.json()) as { keys: string[]; cursor: string | null }) : null))
      .catch(() => null));
    if (!page) return null;
    keys.push(...page.keys);
    cursor = page.cursor;
  }
  return cursor === null ? { client, start, end: performance.now(), keys } : null;
}

/**
 * One step of a counter (counter-check.ts): an increment, or a compare-and-set of the value read
 * plus one; null when the read of a compare-and-set got no answer (nothing was tried).
 */
export async function runCounterOp(lbUrl: string, client: number, key: string, kind: CounterOp['kind']): Promise<CounterOp | null> {
  const url = `${lbUrl}/keys/${encodeURIComponent(key)}`;
  let next = '';
  let path = `${url}/incr`;
  let init: RequestInit = { method: 'POST' };
  if (kind === 'cas') {
    const read = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { value?: string; version?: number } }), () => null);
    if (!read || (read.status !== 200 && read.status !== 404)) return null;
    next = String(Number(read.body.value ?? 0) + 1);
    path = `${url}?if_version=${read.status === 404 ? 0 : read.body.version}`;
    init = { method: 'PUT', body: next };
  }
  const start = performance.now();
  const done = (outcome: CounterOp['outcome'], result?: number): CounterOp => ({ client, key, kind, start, end: performance.now(), outcome, ...(result === undefined ? {} : { result }) });
  try {
    const res = await fetch(path, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = (await res.json().catch(() => ({}))) as { value?: string };
    if (res.status === 200) return kind === 'incr' && typeof body.value !== 'string' ? done('unknown') : done('ok', Number(kind === 'incr' ? body.value : next));
    return done(res.status >= 400 && res.status < 500 ? 'fail' : 'unknown');
  } catch (err) {
    return done(notSent(err) ? 'fail' : 'unknown');
  }
}

export interface Workload {
  ops: Op[];
  /** Steps of the counters (counterKeys). */
  counterOps: CounterOp[];
  listings: Listing[];
  stop(): Promise<void>;
}

/**
 * `clients` loops of random operations on `keys` (all under `prefix`) until stopped, each request
 * sent to one of `lbUrls()` (the LBs' addresses may change when one restarts).
 */
export function startWorkload(lbUrls: () => string[], prefix: string, keys: string[], counterKeys: string[], clients: number, random: Random): Workload {
  const ops: Op[] = [];
  const counterOps: CounterOp[] = [];
  const listings: Listing[] = [];
  let running = true;
  let written = 0;
  const pick = () => {
    const urls = lbUrls();
    return urls[Math.floor(random() * urls.length)]!;
  };
  const request = (client: number): OpRequest => {
    const key = keys[Math.floor(random() * keys.length)]!;
    const r = random();
    const kind = r < 0.5 ? 'get' : r < 0.85 ? 'put' : 'del';
    if (kind !== 'put') return { client, key, kind };
    return { client, key, kind, value: `c${client}-${written++}`, ...(random() < 0.25 ? { ttl: CHAOS_TTL_S } : {}) };
  };
  const loop = async (client: number) => {
    while (running) {
      const r = random();
      if (r < 0.03) {
        const listing = await runListing(pick, client, prefix, 3);
        if (listing) listings.push(listing);
      } else if (r < 0.13) {
        ops.push(...(await runBatch(pick(), Array.from({ length: 2 + Math.floor(random() * 3) }, () => request(client)))));
      } else if (r < 0.21 && counterKeys.length > 0) {
        const step = await runCounterOp(pick(), client, counterKeys[Math.floor(random() * counterKeys.length)]!, random() < 0.5 ? 'incr' : 'cas');
        if (step) counterOps.push(step);
      } else {
        const req = request(client);
        const url = pick();
        const first = await runOp(url, req);
        // An LB that refused the connection (killed): the client tries another, as the CLI does.
        // The refused attempt never reached an LB (it tells the checker nothing): the retry stands for it.
        const others = lbUrls().filter((u) => u !== url);
        if (first.outcome === 'fail' && first.status === undefined && others.length > 0) ops.push(await runOp(others[Math.floor(random() * others.length)]!, req));
        else ops.push(first);
      }
      await new Promise((res) => setTimeout(res, 5 + random() * 10));
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, i) => loop(i + 1)));
  return {
    ops,
    counterOps,
    listings,
    async stop() {
      running = false;
      await done;
    },
  };
}
