// The short form of the fault-injection run (npm run chaos): ten faults of each kind against the
// system as ./launch-env.sh starts it with two LBs, then the checker. Any anomaly found fails the
// suite. Availability and elections per kind of fault are reported (printed), not asserted: a
// fault's window may include the tail of the previous one (the integration tests assert calm).
// Stretches of a key's history too tangled to search in the budget are skipped (the checker goes
// on after them); more than a quarter of the operations so skipped fails the suite too (too little
// was checked). Listings, batches and TTL writes run under the faults too.
// Sixteen keys keep each key's history small enough to decide on a loaded 2-core machine (with
// eight, 2 of 5 runs there left a key or two undecided).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChaos, summarize } from '../chaos/chaos.ts';
import { ROOT } from '../helpers/processes.ts';

const KEYS = 16;

test('fault injection with two LBs: 10 faults of each kind, no anomaly in the history, leadership and final data', async () => {
  const report = await runChaos({
    perKind: 10,
    seed: Number(process.env.CHAOS_SEED ?? 2026),
    clusters: 3,
    lbs: 2,
    keys: KEYS,
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
  assert.deepEqual(report.anomalies, [], 'anomalies found in the history');
  assert.ok(report.opsUnchecked <= report.opsChecked / 4, `${report.opsUnchecked} of ${report.opsChecked} operations left unchecked`);
  assert.ok(report.listings > 10, `${report.listings} listings checked`);
});
