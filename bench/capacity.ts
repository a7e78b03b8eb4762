// How many keys fit in a default cluster (a report, not a test). A cluster container gets 1 GiB
// (CLUSTER_MEM_LIMIT) and MAX_MEMORY=auto gives its Redis 40% of that; this starts two clusters
// (leader and follower, real redis-server processes) with that bound and EVICTION=none, fills them
// through the LB's POST /batch with values of one size until writes get 507 store_full, and
// reports how many keys were stored and the memory they used. Once per value size.
// Usage: npm run bench:capacity [-- --sizes 100,10240 --max-memory 429496729]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Harness, ROOT } from '../test/helpers/processes.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100,10240' }, 'max-memory': { type: 'string', default: String(Math.floor((1024 ** 3 * 2) / 5)) } } });
const SIZES = values.sizes.split(',').map(Number);
const MAX_MEMORY = values['max-memory'];

interface Result {
  valueBytes: number;
  keysStored: number;
  usedMemory: number;
  maxMemory: number;
  bytesPerKey: number;
  seconds: number;
}

async function fill(valueBytes: number): Promise<Result> {
  const h = await Harness.start(2, { redis: { MAX_MEMORY, EVICTION: 'none' }, lb: { LOG_LEVEL: 'warn' }, slave: { LOG_LEVEL: 'warn' } });
  try {
    const perBatch = Math.max(10, Math.min(1000, Math.floor((4 * 1024 * 1024) / valueBytes)));
    const value = 'v'.repeat(valueBytes);
    const started = Date.now();
    let stored = 0;
    for (let full = false, batch = 0; !full; batch++) {
      const ops = Array.from({ length: perBatch }, (_, i) => ({ op: 'set', key: `cap:${String(batch * perBatch + i).padStart(9, '0')}`, value }));
      const res = await fetch(`${h.lbUrl}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ops }) });
      if (res.status !== 200) throw new Error(`POST /batch answered ${res.status}: ${await res.text()}`);
      const { results } = (await res.json()) as { results: { status: number; error?: string }[] };
      for (const r of results) {
        if (r.status === 200) stored++;
        else if (r.status === 507) full = true;
        else throw new Error(`a write answered ${r.status} ${r.error}`);
      }
      if (batch % 50 === 0) process.stdout.write(`\r  ${valueBytes} B values: ${stored.toLocaleString('en')} stored`);
    }
    // After the op results of the fill have been swept (they are kept 30 to 40 s): the steady state.
    const servers = (await (await fetch(`${h.lbUrl}/servers`)).json()) as { role: string; redis: { memory: { used: number; max: number } } }[];
    const leader = servers.find((s) => s.role === 'leader')!;
    process.stdout.write('\n');
    return { valueBytes, keysStored: stored, usedMemory: leader.redis.memory.used, maxMemory: leader.redis.memory.max, bytesPerKey: Math.round(leader.redis.memory.used / stored), seconds: (Date.now() - started) / 1000 };
  } finally {
    await h.stopAll();
  }
}

const results: Result[] = [];
for (const size of SIZES) results.push(await fill(size));
console.log(`\nCapacity of one cluster's Redis at MAX_MEMORY=${MAX_MEMORY} bytes (EVICTION=none), filled through the LB:`);
console.log('| value size | keys stored | memory used | bytes per key | fill time |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.valueBytes} B | ${r.keysStored.toLocaleString('en')} | ${(r.usedMemory / 1024 ** 2).toFixed(0)} MiB of ${(r.maxMemory / 1024 ** 2).toFixed(0)} | ${r.bytesPerKey} | ${r.seconds.toFixed(0)} s |`);
}
writeFileSync(path.join(ROOT, 'bench/results/capacity.json'), JSON.stringify({ date: new Date().toISOString(), maxMemory: Number(MAX_MEMORY), results }, null, 2) + '\n');
