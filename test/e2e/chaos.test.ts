// The short form of the fault-injection run (npm run chaos): ten faults of each kind against the
// system as ./launch-env.sh starts it, then the checker. Any anomaly fails the suite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChaos, summarize } from '../chaos/chaos.ts';
import { ROOT } from '../helpers/processes.ts';

test('fault injection: 10 faults of each kind, 0 anomalies in the history, leadership and final data', async () => {
  const report = await runChaos({
    perKind: 10,
    seed: Number(process.env.CHAOS_SEED ?? 2026),
    clusters: 3,
    keys: 8,
    clients: 6,
    keep: false,
    root: ROOT,
    log: (line) => console.log(`# ${line}`),
  });
  for (const line of summarize(report).split('\n')) console.log(`# ${line}`);
  assert.ok(report.seconds >= 180, `the run lasted ${report.seconds} s (at least 3 minutes)`);
  for (const [kind, n] of Object.entries(report.faultsByKind)) assert.ok(n >= 10, `${n} faults of kind ${kind}`);
  assert.ok(report.operations.ok > 10_000, `${report.operations.ok} operations succeeded`);
  assert.equal(report.unrecovered, 0, 'the system recovered from every fault');
  assert.deepEqual(report.anomalies, []);
});
