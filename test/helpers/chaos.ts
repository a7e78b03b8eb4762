// A bounded writer for chaos tests: numbered writes through the LB, remembering which were
// acknowledged (2xx), so that the test can check every one of them afterwards.
import { put } from './http.ts';

export interface WriterResult {
  acked: Map<string, string>;
  attempted: number;
  refused: number;
}

export function startWriter(lbUrl: string, opts: { prefix: string; concurrency: number; maxWrites: number; maxMs: number }) {
  const acked = new Map<string, string>();
  /** [sentAt, ackedAt] of every acknowledged write, in ack order. */
  const acks: [number, number][] = [];
  let attempted = 0;
  let refused = 0;
  let stop = false;
  const deadline = Date.now() + opts.maxMs;
  let next = 0;
  const worker = async () => {
    while (!stop && Date.now() < deadline && next < opts.maxWrites) {
      const n = next++;
      const key = `${opts.prefix}:${n}`;
      const value = `value-${n}`;
      attempted++;
      const sentAt = Date.now();
      const r = await put(`${lbUrl}/keys/${key}`, value).catch(() => null);
      if (r && r.status >= 200 && r.status < 300) {
        acked.set(key, value);
        acks.push([sentAt, Date.now()]);
      } else {
        refused++;
        await new Promise((res) => setTimeout(res, 20));
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, worker));
  return {
    /** How many writes were acknowledged so far. */
    acked: () => acked.size,
    /** When the first write sent after `t` (ms since the epoch) was acknowledged, or null. */
    firstAckAfter: (t: number) => acks.find(([sent]) => sent > t)?.[1] ?? null,
    async stop(): Promise<WriterResult> {
      stop = true;
      await done;
      return { acked, attempted, refused };
    },
  };
}
