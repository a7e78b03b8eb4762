// Failover benchmark (a report, not a test): with default settings, a writer sends one write at a
// time through the LB while the leader's redis-server is SIGKILLed (and restarted a second later,
// as supervisord would) several times. Measures the time from each kill to the acknowledgement of
// the first write sent after it. Usage: npm run bench:failover [-- --kills 6]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Harness, ROOT, sleep } from '../test/helpers/processes.ts';
import { startWriter } from '../test/helpers/chaos.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '6' }, writers: { type: 'string', default: '1' } } });
const kills = Math.max(5, Number(values.kills));

const h = await Harness.start(3, { lb: { LOG_LEVEL: 'warn' }, slave: { LOG_LEVEL: 'warn' } });
const times: number[] = [];
let acked = 0;
let lost = 0;
try {
  const writer = startWriter(h.lbUrl, { prefix: 'bench', concurrency: Number(values.writers), maxWrites: 1_000_000, maxMs: kills * 10_000 });
  for (let i = 0; i < kills; i++) {
    await sleep(2000);
    const leader = await h.leader();
    await leader.redis.kill('SIGKILL');
    const killedAt = Date.now(); // once the process is dead
    setTimeout(() => (leader.redis = h.redisProc(leader.redisPort).start()), 1000);
    await h.waitFor(async () => writer.firstAckAfter(killedAt) !== null, 30_000, 'a write after the kill');
    times.push(writer.firstAckAfter(killedAt)! - killedAt);
    console.log(`kill ${i + 1}: first acknowledged write ${times.at(-1)} ms after the kill`);
  }
  await sleep(1500);
  const result = await writer.stop();
  acked = result.acked.size;
  for (const [key, value] of result.acked) {
    const r = (await (await fetch(`${h.lbUrl}/keys/${key}`)).json()) as { value?: string };
    if (r.value !== value) lost++;
  }
} finally {
  await h.stopAll();
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
const summary = { date: new Date().toISOString(), kills, writers: Number(values.writers), timesMs: times, medianMs: median, maxMs: sorted.at(-1), acknowledgedWrites: acked, lostWrites: lost };
console.log(`failover over ${kills} leader kills: median ${median} ms, max ${summary.maxMs} ms; ${acked} acknowledged writes, ${lost} lost`);
writeFileSync(path.join(ROOT, 'bench/results/failover.json'), JSON.stringify(summary, null, 2) + '\n');
console.log('written to bench/results/failover.json');
if (lost > 0) process.exitCode = 1;
