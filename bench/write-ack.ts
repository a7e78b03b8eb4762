// The cost of WAIT (a report, not a test). One leader Redis with one follower, on this machine:
//   leader        SET only (WRITE_ACK=leader)
//   group-commit  ReplicatedWriter: writes batched, one WAIT per batch, nothing behind a WAIT
//   naive         every write sends SET then WAIT 1 on one shared connection (auto-pipelined)
// each with 2 and with 32 concurrent writers, at Redis's default hz 10 and at our hz 50.
// Usage: npm run bench:write-ack [-- --writes 4000]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { createLogger } from '../common/src/logger.ts';
import { ReplicatedWriter } from '../cluster-image/src/replicated-writer.ts';
import { freePort, Harness, PASSWORD, ROOT, sleep, waitForPort } from '../test/helpers/processes.ts';

const { values } = parseArgs({ options: { writes: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '2,32' } } });
const WRITES = Number(values.writes);
const CONCURRENCIES = values.concurrency.split(',').map(Number);
const log = createLogger('bench', 'error');

type Client = ReturnType<typeof createClient>;
const connect = async (port: number): Promise<Client> => {
  const c = createClient({ socket: { port, host: '127.0.0.1' }, password: PASSWORD });
  await c.connect();
  return c;
};

async function measure(concurrency: number, write: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < WRITES) {
        const i = next++;
        const s = process.hrtime.bigint();
        await write(i);
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 100) / 100;
  return { opsPerSecond: Math.round(WRITES / seconds), p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: Math.round(latencies.at(-1)! * 100) / 100 };
}

async function pair(hz: number) {
  const h = new Harness();
  const [lp, fp] = [await freePort(), await freePort()];
  h.redisProc(lp).start();
  h.redisProc(fp).start();
  await Promise.all([waitForPort(lp), waitForPort(fp)]);
  const leader = await connect(lp);
  const follower = await connect(fp);
  await leader.sendCommand(['CONFIG', 'SET', 'hz', String(hz)]);
  await follower.sendCommand(['CONFIG', 'SET', 'hz', String(hz)]);
  await leader.sendCommand(['REPLICAOF', 'NO', 'ONE']);
  await follower.sendCommand(['REPLICAOF', '127.0.0.1', String(lp)]);
  while (!String(await follower.sendCommand(['INFO', 'replication'])).includes('master_link_status:up')) await sleep(50);
  return { h, leader, follower, lp };
}

const results: Record<string, unknown> = {};
for (const hz of [10, 50]) {
  const { h, leader, follower, lp } = await pair(hz);
  try {
    const writerClient = await connect(lp);
    const grouped = new ReplicatedWriter(writerClient, 'replica', 1000, log);
    // Warm-up: right after a follower's link comes up, its first acknowledgement can take most of a
    // second (it is not what this measures).
    for (let i = 0; i < 200; i++) await grouped.submit((c) => c.set(`warm:${i}`, 'v'));
    for (const concurrency of CONCURRENCIES) {
      const leaderOnly = await measure(concurrency, async (i) => void (await leader.set(`l:${i}`, 'v')));
      const groupCommit = await measure(concurrency, async (i) => {
        const r = await grouped.submit((c) => c.set(`g:${i}`, 'v'));
        if (r.durability !== 'replica') throw new Error('not replicated');
      });
      const naive = await measure(concurrency, async (i) => {
        const [, acked] = await Promise.all([leader.set(`n:${i}`, 'v'), leader.sendCommand(['WAIT', '1', '1000'])]);
        if (Number(acked) < 1) throw new Error('not replicated');
      });
      results[`hz ${hz}, ${concurrency} writers`] = { leader: leaderOnly, groupCommit, naive };
      console.log(`hz ${hz}, ${concurrency} writers: leader only ${JSON.stringify(leaderOnly)}`);
      console.log(`hz ${hz}, ${concurrency} writers: group commit ${JSON.stringify(groupCommit)}`);
      console.log(`hz ${hz}, ${concurrency} writers: naive SET+WAIT ${JSON.stringify(naive)}`);
    }
    await writerClient.close();
  } finally {
    await Promise.all([leader.close(), follower.close()]);
    await h.stopAll();
  }
}
writeFileSync(path.join(ROOT, 'bench/results/write-ack.json'), JSON.stringify({ date: new Date().toISOString(), writes: WRITES, concurrencies: CONCURRENCIES, results }, null, 2) + '\n');
console.log('written to bench/results/write-ack.json');
