// An election's first phase with one cluster: "promise epoch N" (POST /internal/promise). The
// answer is parsed by its schema (common's protocol-schemas.ts) before anything acts on it.
import { PromiseAnswerSchema, PromiseRefusalSchema, type Logger, type SlaveHealth } from '@hscale/common';
import type { ClusterView } from '../cluster-view.js';
import { parseJson } from '../health/slave-health.js';
import type { Member } from '../membership/membership.js';

/** A promise with the cluster's health (newer than its last probe's), or the epoch it promised already (0: none known). */
export type PromiseOutcome = { member: Member; ok: true; health: SlaveHealth } | { member: Member; ok: false; promised: number };

export async function askPromise(view: ClusterView, m: Member, epoch: number, timeoutMs: number, log: Logger): Promise<PromiseOutcome> {
  try {
    const res = await view.send(m, { method: 'POST', path: '/internal/promise', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ epoch }), timeoutMs });
    const body = parseJson(res.body);
    const answer = res.status === 200 ? PromiseAnswerSchema.safeParse(body) : null;
    if (answer?.success && answer.data.promised === epoch) return { member: m, ok: true, health: answer.data.health };
    if (res.status !== 409) log.warn('a cluster did not promise', { id: m.id, epoch, status: res.status, answer: res.body.toString('utf8').slice(0, 200) });
    const refusal = PromiseRefusalSchema.safeParse(body);
    return { member: m, ok: false, promised: refusal.success ? refusal.data.promised : 0 };
  } catch (err) {
    log.info('no promise from a cluster', { id: m.id, epoch, error: (err as Error).message });
    return { member: m, ok: false, promised: 0 };
  }
}
