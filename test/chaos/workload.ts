// Clients of a chaos run: reads, writes of unique values and deletes on a small key set, through
// the LB, each recorded with when it was sent, when it was answered and what the answer said.
import { performance } from 'node:perf_hooks';
import type { Op } from './checker.ts';

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

export async function runOp(lbUrl: string, op: Pick<Op, 'client' | 'key' | 'kind' | 'value'>, final = false): Promise<Op> {
  const start = performance.now();
  const url = `${lbUrl}/keys/${encodeURIComponent(op.key)}`;
  const init: RequestInit = { method: op.kind === 'get' ? 'GET' : op.kind === 'put' ? 'PUT' : 'DELETE', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (op.kind === 'put') init.body = op.value!;
  let status: number | undefined;
  const done = (outcome: Op['outcome'], result?: string | null): Op => ({
    ...op,
    start,
    end: performance.now(),
    outcome,
    result,
    ...(status !== undefined ? { status } : {}),
    ...(final ? { final } : {}),
  });
  try {
    const res = await fetch(url, init);
    status = res.status;
    const body = (await res.json().catch(() => ({}))) as { value?: string; error?: string };
    if (op.kind === 'get') {
      // A 200 whose body did not arrive whole says nothing about the value: not a read of null.
      if (res.status === 200) return typeof body.value === 'string' ? done('ok', body.value) : done('unknown');
      if (res.status === 404 && body.error === 'key_not_found') return done('ok', null);
      return done('unknown');
    }
    if (res.status >= 200 && res.status < 300) return done('ok');
    return done(res.status >= 400 && res.status < 500 ? 'fail' : 'unknown');
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    return done(NOT_SENT.test(String(cause?.message ?? cause ?? '')) ? 'fail' : 'unknown');
  }
}

export interface Workload {
  ops: Op[];
  stop(): Promise<void>;
}

/** `clients` loops of random operations on `keys` until stopped. */
export function startWorkload(lbUrl: string, keys: string[], clients: number, random: Random): Workload {
  const ops: Op[] = [];
  let running = true;
  let written = 0;
  const loop = async (client: number) => {
    while (running) {
      const key = keys[Math.floor(random() * keys.length)]!;
      const r = random();
      const kind = r < 0.5 ? 'get' : r < 0.85 ? 'put' : 'del';
      const value = kind === 'put' ? `c${client}-${written++}` : undefined;
      ops.push(await runOp(lbUrl, { client, key, kind, value }));
      await new Promise((res) => setTimeout(res, 5 + random() * 10));
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, i) => loop(i + 1)));
  return {
    ops,
    async stop() {
      running = false;
      await done;
    },
  };
}
