// Coalesces the key-value operations bound for one slave into batch requests (POST /internal/kv),
// which the slave runs as one Redis pipeline. While a few batches to a slave are out, new
// operations wait and leave together in the next one: under load, many operations share one
// HTTP exchange and one pipeline; when idle, an operation leaves at once, alone.
import { EPOCH_HEADER, REQUEST_ID_HEADER, type KvBatch, type KvOp } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import type { Member } from '../membership/membership.js';

/** A slave's answer to one operation: its status and JSON body (bytes, passed on as they are). */
export interface OpResult {
  status: number;
  body: Buffer;
}

export class BatchError extends Error {
  /** This LB aborted the batch (the slave failed, or an election started), rather than the network failing. */
  constructor(message: string, readonly givenUp: boolean, readonly code?: string) {
    super(message);
  }
}

interface Pending {
  epoch: number;
  op: KvOp;
  id: string;
  bytes: number;
  resolve: (r: OpResult) => void;
  reject: (e: BatchError) => void;
}

export interface BatcherOptions {
  timeoutMs: number;
  /** Batches out at once to one slave; more operations wait for the next batch. */
  maxInFlight: number;
  maxOps: number;
  /** A batch stops growing at this many bytes of values. */
  maxBytes: number;
}

export class Batcher {
  private readonly queues = new Map<string, Pending[]>();
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly scheduled = new Set<string>();
  batchesSent = 0;
  opsSent = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly opts: BatcherOptions,
  ) {}

  submit(m: Member, epoch: number, op: KvOp, id: string): Promise<OpResult> {
    return new Promise((resolve, reject) => {
      const bytes = op.op === 'set' ? op.value.length + op.key.length : op.op === 'list' ? 64 : op.key.length;
      const q = this.queues.get(m.id) ?? [];
      q.push({ epoch, op, id, bytes, resolve, reject });
      this.queues.set(m.id, q);
      this.schedule(m);
    });
  }

  /** Gives up every batch out to `memberId` (every member when null), and the operations waiting for one. */
  abort(memberId: string | null, reason: string): void {
    for (const [id, ctrls] of this.running) if (memberId === null || id === memberId) for (const c of ctrls) c.abort(new Error(reason));
    for (const [id, q] of this.queues) {
      if (memberId !== null && id !== memberId) continue;
      this.queues.delete(id);
      // Never sent: nothing to fence. Rejected as "given up" so the caller simply tries again.
      for (const p of q) p.reject(new BatchError(reason, true, 'NOT_SENT'));
    }
  }

  /** Leaves it to the end of this turn of the event loop, so that operations arriving meanwhile join. */
  private schedule(m: Member): void {
    if (this.scheduled.has(m.id)) return;
    this.scheduled.add(m.id);
    setImmediate(() => {
      this.scheduled.delete(m.id);
      this.flush(m);
    });
  }

  private flush(m: Member): void {
    let q = this.queues.get(m.id) ?? [];
    while (q.length > 0 && (this.running.get(m.id)?.size ?? 0) < this.opts.maxInFlight) {
      // One pass: operations of the first one's epoch go, up to the size limits; the rest wait, in order.
      const epoch = q[0]!.epoch;
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      let bytes = 0;
      for (const p of q) {
        const fits = p.epoch === epoch && batch.length < this.opts.maxOps && (batch.length === 0 || bytes + p.bytes <= this.opts.maxBytes);
        if (fits) {
          batch.push(p);
          bytes += p.bytes;
        } else rest.push(p);
      }
      q = rest;
      void this.send(m, epoch, batch);
    }
    if (q.length === 0) this.queues.delete(m.id);
    else this.queues.set(m.id, q);
  }

  private async send(m: Member, epoch: number, batch: Pending[]): Promise<void> {
    const ctrl = new AbortController();
    const mine = this.running.get(m.id) ?? new Set();
    this.running.set(m.id, mine.add(ctrl));
    this.batchesSent++;
    this.opsSent += batch.length;
    const body: KvBatch = { epoch, ids: batch.map((p) => p.id), ops: batch.map((p) => p.op) };
    try {
      const res = await this.view.send(m, {
        method: 'POST',
        path: '/internal/kv',
        headers: { 'content-type': 'application/json', [EPOCH_HEADER]: String(epoch), [REQUEST_ID_HEADER]: batch[0]!.id },
        body: JSON.stringify(body),
        timeoutMs: this.opts.timeoutMs,
        signal: ctrl.signal,
      });
      const results = res.status === 200 ? splitAnswers(res.body, batch.length) : null;
      if (results) this.view.served(m.id);
      batch.forEach((p, i) => p.resolve(results?.[i] ?? { status: res.status, body: res.body }));
    } catch (err) {
      const e = err as Error & { code?: string; cause?: { code?: string } };
      for (const p of batch) p.reject(new BatchError(e.message, ctrl.signal.aborted, e.code ?? e.cause?.code));
    } finally {
      mine.delete(ctrl);
      if (mine.size === 0) this.running.delete(m.id);
      if (this.queues.get(m.id)?.length) this.schedule(m);
    }
  }
}

/** "<status> <json>\n" per operation → results; null if the answer does not have that shape. */
export function splitAnswers(body: Buffer, count: number): OpResult[] | null {
  const out: OpResult[] = [];
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf(10, start);
    const space = body.indexOf(32, start);
    if (nl < 0 || space < 0 || space > nl) return null;
    out.push({ status: Number(body.toString('latin1', start, space)), body: body.subarray(space + 1, nl) });
    start = nl + 1;
  }
  return out.length === count ? out : null;
}
