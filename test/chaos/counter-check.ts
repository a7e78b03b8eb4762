// Checks counters of a chaos run, pure: keys that only ever go up by one, through increments
// (POST /keys/{key}/incr) and compare-and-set (read n at version v, PUT n+1 if_version=v). Each
// acknowledged operation answered the value it left; a linearizable counter then needs:
// - distinct answers: two acknowledged operations never leave the same value (an increment
//   applied twice answers twice, a lost update leaves a value twice);
// - real-time order: an operation that began after another was acknowledged leaves a larger value;
// - the final value (read after every fault healed) is at least every answer, and at least the
//   number of acknowledged operations, at most that plus the operations without a definite answer
//   (an acknowledged increment lost, or one applied twice, is caught here).
// These are necessary conditions: whatever they flag is an anomaly.

export interface CounterOp {
  client: number;
  key: string;
  kind: 'incr' | 'cas';
  start: number;
  end: number;
  /** ok: applied, answering `result`; fail: refused (a 4xx, such as 412): not applied; unknown: maybe. */
  outcome: 'ok' | 'fail' | 'unknown';
  /** The value the operation left (ok only). */
  result?: number;
}

export function checkCounters(ops: CounterOp[], finals: Record<string, number | null>): string[] {
  const problems: string[] = [];
  const keys = new Set([...ops.map((o) => o.key), ...Object.keys(finals)]);
  for (const key of keys) {
    const mine = ops.filter((o) => o.key === key);
    const acked = mine.filter((o) => o.outcome === 'ok').sort((a, b) => a.result! - b.result!);
    const unknown = mine.filter((o) => o.outcome === 'unknown').length;
    for (let i = 1; i < acked.length; i++) {
      if (acked[i]!.result === acked[i - 1]!.result) {
        problems.push(`counter ${key}: two acknowledged operations both left ${acked[i]!.result} (clients ${acked[i - 1]!.client} and ${acked[i]!.client})`);
      }
    }
    // Real time: sorted by value, no operation may have ended before a smaller value's began.
    const byStart = [...acked].sort((a, b) => a.start - b.start);
    let latest: CounterOp | undefined; // among operations that ended before the current one began, the largest value
    let j = 0;
    const byEnd = [...acked].sort((a, b) => a.end - b.end);
    for (const o of byStart) {
      while (j < byEnd.length && byEnd[j]!.end < o.start) {
        if (!latest || byEnd[j]!.result! > latest.result!) latest = byEnd[j];
        j++;
      }
      if (latest && latest.result! >= o.result!) {
        problems.push(`counter ${key}: client ${o.client} left ${o.result} although ${latest.result} was acknowledged before it began`);
        break;
      }
    }
    const final = finals[key];
    if (final === undefined || final === null) {
      if (acked.length > 0) problems.push(`counter ${key}: ${acked.length} acknowledged operations, but the final read found no value`);
      continue;
    }
    const top = acked.at(-1)?.result ?? 0;
    if (final < top) problems.push(`counter ${key}: final value ${final} is below the acknowledged ${top}`);
    if (final < acked.length) problems.push(`counter ${key}: final value ${final} but ${acked.length} operations were acknowledged (an increment was lost)`);
    if (final > acked.length + unknown) problems.push(`counter ${key}: final value ${final} but only ${acked.length} acknowledged and ${unknown} unanswered operations (an increment was applied twice)`);
  }
  return problems;
}
