// The cost of WAIT (a report, not a test). One leader Redis with one follower, on this machine,
// every write the slaves' own (the library's hs_write_v3):
//   leader        the write only (WRITE_ACK=leader)
//   group-commit  ReplicatedWriter: writes batched, one beat + WAIT per batch, nothing behind a WAIT
//   naive         every write sends the write then WAIT 1 on one shared connection (auto-pipelined)
// each with 2 and with 32 concurrent writers, at Redis's default hz 10 and at our hz 50.
// Usage: npm run bench:write-ack [-- --writes 4000]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { createLogger } from '../common/src/logger.ts';
import { RedisConnection } from '../cluster-image/src/redis-connection.ts';
import { ReplicatedWriter } from '../cluster-image/src/replicated-writer.ts';
import { CHANGES_KEY, EXPIRY_KEY, FENCE_KEY, INDEX_KEY, OPS_KEY, VERSIONS_KEY } from '../cluster-image/src/store/internal-keys.ts';
import { LIBRARY } from '../cluster-image/src/store/library.ts';
import { freePort, Harness, PASSWORD, ROOT, sleep, waitForPort } from '../test/helpers/processes.ts';

const { values } = parseArgs({ options: { writes: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '2,32' } } });
const WRITES = Number(values.writes);
const CONCURRENCIES = values.concurrency.split(',').map(Number);
const log = createLogger('bench', 'error');

type Client = ReturnType<typeof createClient>;

/** A set as the slaves write it (the library's hs_write_v3 at epoch 1, its own op id), so every strategy pays for the real write. */
const setCommand = (key: string) => [
  'FCALL', 'hs_write_v3', '7', FENCE_KEY, INDEX_KEY, EXPIRY_KEY, key, OPS_KEY, VERSIONS_KEY, CHANGES_KEY,
  '1', 'bench', '1', '', 'set', 'v', '', `op:${key}`, '',
];
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
    // The writer confirms each batch with hs_beat at its epoch (a write of nothing, then WAIT): the
    // library loaded and the leader promoted to epoch 1, as a slave's promotion does; two voters.
    await leader.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', LIBRARY]);
    await leader.sendCommand(['FCALL', 'hs_promote', '1', FENCE_KEY, '1']);
    const writerClient = new RedisConnection({ host: '127.0.0.1', port: lp }, { username: 'app', password: PASSWORD }, 5000, log, 'bench');
    for (const end = Date.now() + 10_000; !writerClient.isReady; await sleep(10)) if (Date.now() > end) throw new Error('the writer did not connect');
    const grouped = new ReplicatedWriter(writerClient, 'replica', 1000, log);
    grouped.term = { epoch: 1, voters: 2 };
    // Warm-up: right after a follower's link comes up, its first acknowledgement can take most of a
    // second (it is not what this measures).
    for (let i = 0; i < 200; i++) await grouped.submit(setCommand(`warm:${i}`));
    for (const concurrency of CONCURRENCIES) {
      const leaderOnly = await measure(concurrency, async (i) => void (await leader.sendCommand(setCommand(`l:${concurrency}:${i}`))));
      const groupCommit = await measure(concurrency, async (i) => {
        const r = await grouped.submit(setCommand(`g:${concurrency}:${i}`));
        if (r.durability !== 'replica') throw new Error('not replicated');
      });
      const naive = await measure(concurrency, async (i) => {
        const [, acked] = await Promise.all([leader.sendCommand(setCommand(`n:${concurrency}:${i}`)), leader.sendCommand(['WAIT', '1', '1000'])]);
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
