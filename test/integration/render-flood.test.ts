// A render flood must not hurt key-value clients: 20 huge renders at once (width 4000, escape
// 100000). The LB takes on a few (MANDELBROT_MAX_RENDERS) and refuses the rest at once with 429;
// meanwhile /ready stays 200, the leader stays, and GETs stay fast (probes and key-value traffic
// have their own connections, never behind bands). When the clients hang up, the bands are called
// off: the clusters' render threads stop within seconds instead of rendering for nobody.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Harness, sleep } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';

let h: Harness;
before(async () => {
  h = await Harness.start(3, { lb: { MANDELBROT_MAX_RENDERS: '4' } });
});
after(() => h?.stopAll());

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU the slaves used over `ms`, as a fraction of one core. */
async function slavesCpu(ms: number): Promise<number> {
  const pids = h.clusters.map((c) => c.slave.child!.pid!);
  const before = pids.map(cpuSeconds);
  await sleep(ms);
  return pids.map(cpuSeconds).reduce((sum, s, i) => sum + s - before[i]!, 0) / (ms / 1000);
}

test('20 huge renders: the excess gets 429, /ready and the leader stay, GETs stay fast; hanging up stops the work', async () => {
  assert.equal((await put(`${h.lbUrl}/keys/during-flood`, 'still here')).status, 200);
  const leaderBefore = (await call(`${h.lbUrl}/leader`)).body.id;

  const clients = Array.from({ length: 20 }, () => new AbortController());
  const renders = clients.map((c) =>
    fetch(`${h.lbUrl}/mandelbrot.png?width=4000&escape=100000`, { signal: c.signal }).then(
      async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: r.status === 429 ? await r.json() : null }),
      () => ({ status: 0, retryAfter: null, body: null }), // hung up by the test
    ),
  );
  // The refused ones answer at once; the admitted ones run until the test hangs up.

  const latencies: number[] = [];
  const readiness: number[] = [];
  const leaders = new Set<string>();
  // About 3 s of polling, then hang up: the admitted renders take about twice that here. Five GET
  // pollers and one for /ready and /leader, each every 100 ms: over a hundred GETs, so that the
  // p99 is not simply the slowest one.
  const pollUntil = Date.now() + 2500;
  const poller = async (body: () => Promise<void>) => {
    while (Date.now() < pollUntil) {
      await body();
      await sleep(100);
    }
  };
  await Promise.all([
    ...Array.from({ length: 5 }, () =>
      poller(async () => {
        const started = performance.now();
        const get = await call(`${h.lbUrl}/keys/during-flood`);
        latencies.push(performance.now() - started);
        assert.equal(get.body.value, 'still here');
      }),
    ),
    poller(async () => {
      const [ready, leader] = await Promise.all([call(`${h.lbUrl}/ready`), call(`${h.lbUrl}/leader`)]);
      readiness.push(ready.status);
      leaders.add(leader.body.id);
    }),
  ]);
  const busy = await slavesCpu(500);

  for (const c of clients) c.abort();
  const outcomes = await Promise.all(renders);
  const tooMany = outcomes.filter((o) => o.status === 429);
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!; // nearest rank
  console.log(`# render flood: ${tooMany.length} of 20 refused with 429; ${latencies.length} GETs, p99 ${p99.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms; slaves' CPU while rendering ${busy.toFixed(2)} cores`);

  assert.equal(tooMany.length, 16, 'all but MANDELBROT_MAX_RENDERS were refused');
  for (const o of tooMany) {
    assert.equal(o.retryAfter, '1');
    assert.equal(o.body.error, 'too_many_renders');
  }
  assert.ok(readiness.every((s) => s === 200), `/ready answered ${[...new Set(readiness)].join(', ')}`);
  assert.deepEqual([...leaders], [leaderBefore], 'the leader stayed');
  assert.ok(p99 < 1000, `GET p99 ${p99.toFixed(0)} ms`);
  assert.ok(busy > 0.5, `the renders were running (${busy.toFixed(2)} cores) before the clients hung up`);

  // Hung up: within 5 s the clusters stop rendering (a second at a time under a tenth of a core).
  const deadline = Date.now() + 5000;
  let cpu = Infinity;
  while ((cpu = await slavesCpu(500)) > 0.1) {
    assert.ok(Date.now() < deadline, `the slaves still use ${cpu.toFixed(2)} cores 5 s after the clients hung up`);
  }
  // The renders still running when the clients hung up were called off (the log line comes through a pipe: waited for).
  await h.lb.waitForOutput(/mandelbrot render called off: the client left/);
});
