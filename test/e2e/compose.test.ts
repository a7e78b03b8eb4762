// End to end: ./launch-env.sh builds and starts the real images with compose; everything else
// goes through the LB over HTTP, plus docker commands to break things. Runs in its own compose
// project, port and env file, so it never touches a system you have running.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, ROOT, sleep } from '../helpers/processes.ts';
import { call, del, postJson, put, watchHealth } from '../helpers/http.ts';
import { containers, containerWithIp, docker, run } from '../helpers/docker.ts';
import { startWriter } from '../helpers/chaos.ts';

const PROJECT = 'hscale-e2e';
let env: NodeJS.ProcessEnv;
let lb: string;

const launch = (...args: string[]) => run(path.join(ROOT, 'launch-env.sh'), args, env);
const leader = async () => (await call(`${lb}/leader`)).body as { id: string; address: string; epoch: number };
async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
const healthyCount = async () => (await call(`${lb}/servers`)).body.filter((s: any) => s.healthy).length;
/** Three healthy clusters on the leader's epoch: one leader, two followers whose Redis replicates. */
async function settled(): Promise<boolean> {
  const { epoch } = await leader();
  const servers = (await call(`${lb}/servers`)).body as { healthy: boolean; role: string; epoch: number; redis?: { role: string } }[];
  const roles = servers.filter((s) => s.healthy && s.epoch === epoch).map((s) => `${s.role}/${s.redis?.role}`);
  return servers.length === 3 && roles.sort().join() === 'follower/replica,follower/replica,leader/master';
}
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
async function fetchPng(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  assert.equal(res.status, 200, await res.clone().text().catch(() => ''));
  assert.equal(res.headers.get('content-type'), 'image/png');
  return Buffer.from(await res.arrayBuffer());
}

before(async () => {
  const port = await freePort();
  // 512m per cluster: MAX_MEMORY=auto gives its Redis 205 MiB, which the capacity test fills.
  env = { LB_PORT: String(port), LB_EXTRA_PORTS: '18181-18189', COMPOSE_PROJECT_NAME: PROJECT, HSCALE_ENV_FILE: path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-e2e-')), '.env'), CLUSTER_MEM_LIMIT: '512m' };
  lb = `http://127.0.0.1:${port}`;
});

after(async () => {
  await launch('down');
});

describe('the system under compose', () => {
  test('./launch-env.sh 3 builds, starts, waits for health and prints how to use it', async () => {
    const r = await launch('3');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /3\/3 healthy, leader/);
    assert.match(r.stdout, new RegExp(`The system is up: ${lb}`));
    assert.match(r.stdout, /docker exec \S+ redis-cli keys '\*'/);
    console.log(`# launch-env.sh 3 took ${(r.ms / 1000).toFixed(1)} s`);
    const rerun = await launch('3', '--no-build');
    assert.equal(rerun.code, 0);
    console.log(`# launch-env.sh 3 --no-build on the running system took ${(rerun.ms / 1000).toFixed(1)} s`);
  });

  test('bad arguments and a taken port get a clear error and a non-zero exit', async () => {
    const bad = await launch('99');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /N must be a whole number from 1 to 64/);
    const taken = await run(path.join(ROOT, 'launch-env.sh'), ['2'], { ...env, COMPOSE_PROJECT_NAME: 'hscale-e2e-other', HSCALE_ENV_FILE: `${env.HSCALE_ENV_FILE}.other` });
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /already taken/);
  });

  test('the containers run hardened: no extra capabilities, no-new-privileges, read-only root, limits, non-root programs', async () => {
    for (const c of await containers(PROJECT)) {
      const hc = JSON.parse(await docker('inspect', '-f', '{{json .HostConfig}}', c.id)) as {
        CapDrop: string[] | null; CapAdd: string[] | null; SecurityOpt: string[] | null; ReadonlyRootfs: boolean; Memory: number; PidsLimit: number | null; Privileged: boolean;
      };
      assert.deepEqual(hc.CapDrop, ['ALL'], c.name);
      const normalise = (caps: string[] | null) => (caps ?? []).map((x) => x.replace(/^CAP_/, '')).sort();
      assert.deepEqual(normalise(hc.CapAdd), c.service === 'cluster' ? ['CHOWN', 'KILL', 'SETGID', 'SETUID'] : [], c.name);
      assert.ok(hc.SecurityOpt?.some((o) => /^no-new-privileges(:true)?$/.test(o)), `${c.name}: ${hc.SecurityOpt}`);
      assert.equal(hc.ReadonlyRootfs, true, c.name);
      assert.equal(hc.Privileged, false, c.name);
      assert.ok(hc.Memory > 0 && (hc.PidsLimit ?? 0) > 0, `${c.name}: memory ${hc.Memory}, pids ${hc.PidsLimit}`);
      // Who runs what, from /proc: only supervisord (PID 1 of a cluster) is root, with its 4 capabilities.
      const procs: string[] = [];
      for (const pid of (await docker('exec', c.id, 'ls', '/proc')).split(/\s+/).filter((p) => /^\d+$/.test(p))) {
        const r = await run('docker', ['exec', c.id, 'cat', `/proc/${pid}/status`, `/proc/${pid}/cmdline`], {});
        // Gone meanwhile, this very cat, or Docker's health check (run as the image's user, for a moment).
        if (r.code !== 0 || /^Name:\s*cat$/m.test(r.stdout) || /healthcheck/.test(r.stdout.slice(r.stdout.lastIndexOf('\n')))) continue;
        const uid = /^Uid:\s*(\d+)/m.exec(r.stdout)![1]!;
        const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(r.stdout)![1]!;
        const command = r.stdout.slice(r.stdout.lastIndexOf('\n') + 1).replaceAll('\0', ' ').trim();
        procs.push(`${uid} ${capEff} ${command}`);
        if (/supervisord/.test(command)) {
          assert.equal(uid, '0', command);
          // CHOWN (bit 0), KILL (5), SETGID (6), SETUID (7): 0xe1.
          assert.equal(BigInt(`0x${capEff}`), 0xe1n, `supervisord's capabilities: ${capEff}`);
        } else {
          assert.notEqual(uid, '0', `${c.name}: ${command} runs as root`);
          assert.equal(BigInt(`0x${capEff}`), 0n, `${c.name}: ${command} has capabilities ${capEff}`);
        }
      }
      assert.ok(procs.some((l) => /node/.test(l)), `${c.name}: no node process seen in ${procs.join('; ')}`);
      if (c.service === 'cluster') {
        // Root there (exec runs as the image's user), yet it cannot write: the filesystem is read-only.
        const write = await run('docker', ['exec', c.id, 'sh', '-c', 'touch /app/x'], {});
        assert.match(write.stderr, /Read-only file system/, `${c.name}: ${write.stderr}`);
      }
    }
  });

  test('a full store: writes get 507, no container is OOM-killed or restarted, no election; deleting makes room', async () => {
    const before = await leader();
    const value = 'm'.repeat(1024 * 1024);
    const stored: string[] = [];
    let full: { status: number; body: any } | null = null;
    for (let i = 0; i < 400 && !full; i++) {
      const r = await put(`${lb}/keys/capacity:${i}`, value);
      if (r.status === 200) stored.push(`capacity:${i}`);
      else full = r;
    }
    console.log(`# CLUSTER_MEM_LIMIT=512m (MAX_MEMORY=auto): ${stored.length} values of 1 MiB stored, then ${full?.status}`);
    assert.equal(full?.status, 507, JSON.stringify(full?.body));
    assert.equal(full!.body.error, 'store_full');
    assert.ok(stored.length > 100, `${stored.length} MiB stored`);
    const servers = (await call(`${lb}/servers`)).body as { redis: { memory: { max: number; policy: string } } }[];
    for (const s of servers) assert.deepEqual([Math.round(s.redis.memory.max / 2 ** 20), s.redis.memory.policy], [205, 'noeviction']);
    for (const c of await containers(PROJECT, 'cluster')) {
      const state = JSON.parse(await docker('inspect', '-f', '{{json .State}}', c.id)) as { OOMKilled: boolean; Running: boolean };
      assert.deepEqual([state.OOMKilled, state.Running], [false, true], c.name);
      assert.equal(await docker('inspect', '-f', '{{.RestartCount}}', c.id), '0', c.name);
    }
    assert.deepEqual([(await leader()).id, (await leader()).epoch], [before.id, before.epoch], 'no election');
    assert.equal((await call(`${lb}/keys/${stored[0]}`)).body.value, value);
    for (const k of stored) assert.equal((await del(`${lb}/keys/${k}`)).status, 200, k);
    // Room again (under another prefix: the next test lists e2e:*).
    assert.equal((await put(`${lb}/keys/capacity:after-full`, 'room again')).status, 200);
    assert.equal((await del(`${lb}/keys/capacity:after-full`)).status, 200);
  });

  test('every key-value route through the LB', async () => {
    assert.equal((await put(`${lb}/keys/e2e:greeting?ttl=600`, 'hello from e2e')).status, 200);
    const got = await call(`${lb}/keys/e2e:greeting`);
    assert.equal(got.body.value, 'hello from e2e');
    assert.ok(got.body.ttl > 590);
    assert.equal((await postJson(`${lb}/set`, { key: 'e2e:alias', value: 'a' })).status, 200);
    assert.equal((await call(`${lb}/get/e2e:alias`)).body.value, 'a');
    assert.deepEqual((await call(`${lb}/list-keys?prefix=e2e:`)).body.keys.sort(), ['e2e:alias', 'e2e:greeting']);
    assert.deepEqual((await call(`${lb}/keys?prefix=e2e:&limit=1`)).body.keys.length, 1);
    assert.equal((await del(`${lb}/delete/e2e:alias`)).body.deleted, true);
    assert.equal((await del(`${lb}/keys/e2e:alias`)).body.deleted, false);
    assert.equal((await call(`${lb}/keys/e2e:alias`)).status, 404);
    assert.equal((await put(`${lb}/keys/${'x'.repeat(513)}`, 'v')).status, 400);
  });

  test('docker exec redis-cli on the leader container shows a key written through the LB', async () => {
    await put(`${lb}/keys/e2e:visible`, 'in redis');
    const c = await containerWithIp(PROJECT, (await leader()).address);
    assert.match(await docker('exec', c.name, 'redis-cli', 'keys', '*'), /e2e:visible/);
    assert.equal(await docker('exec', c.name, 'redis-cli', 'get', 'e2e:visible'), 'in redis');
    assert.match(await docker('exec', c.name, 'redis-cli', 'info', 'replication'), /role:master/);
  });

  test('the containers\' health checks pass, and run no Node process (bash\'s /dev/tcp)', async () => {
    const all = await containers(PROJECT);
    for (const c of all) {
      assert.deepEqual(JSON.parse(await docker('inspect', '-f', '{{json .Config.Healthcheck.Test}}', c.name)).slice(0, 2), ['CMD', 'healthcheck']);
      await waitFor(async () => (await docker('inspect', '-f', '{{.State.Health.Status}}', c.name)) === 'healthy', 60_000, `${c.name} to be healthy`);
    }
  });

  test('the redis of a cluster is not published on the host', async () => {
    const ports = await docker('ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Ports}}');
    assert.doesNotMatch(ports, /6379->|3000->/);
  });

  test('chaos: docker kill of the leader container three times (started again each time) loses no acknowledged write', async () => {
    const writer = startWriter(lb, { prefix: 'e2e-chaos', concurrency: 4, maxWrites: 50_000, maxMs: 120_000 });
    const failovers: number[] = [];
    for (let round = 0; round < 3; round++) {
      await sleep(2000);
      const l = await leader();
      const c = await containerWithIp(PROJECT, l.address);
      await docker('kill', c.name);
      const killedAt = Date.now(); // once the container is dead
      await waitFor(async () => (await leader()).epoch > l.epoch, 20_000, 'an election');
      await waitFor(async () => writer.firstAckAfter(killedAt) !== null, 20_000, 'a write acknowledged after the kill');
      failovers.push(writer.firstAckAfter(killedAt)! - killedAt);
      await docker('start', c.name);
      await waitFor(async () => (await healthyCount()) === 3, 60_000, 'the killed cluster to be healthy again');
    }
    const { acked, attempted, refused } = await writer.stop();
    const lost: string[] = [];
    for (const [key, value] of acked) {
      const r = await call(`${lb}/keys/${key}`);
      if (r.body?.value !== value) lost.push(key);
    }
    console.log(`# chaos (docker kill): ${attempted} writes, ${acked.size} acknowledged, ${refused} refused, ${lost.length} acknowledged writes lost`);
    console.log(`# chaos (docker kill): failover from kill to first acknowledged write: ${failovers.join(' ms, ')} ms`);
    assert.ok(acked.size > 100);
    assert.deepEqual(lost.slice(0, 10), []);
  });

  test('a cluster cut off from the network is not used, then rejoins as a follower and catches up', async () => {
    const l = await leader();
    const c = await containerWithIp(PROJECT, l.address);
    const network = `${PROJECT}_backend`;
    await docker('network', 'disconnect', network, c.name);
    const placeholders: { id: string; ip: string }[] = [];
    try {
      await waitFor(async () => (await leader()).epoch > l.epoch, 20_000, 'an election after the disconnect');
      assert.equal((await put(`${lb}/keys/e2e:while-cut-off`, 'written while cut off')).status, 200);
      // Docker hands the lowest free address to the next container: take the cluster's old one
      // with placeholders, so that it comes back with a new address, as after a move to another
      // network. It must then advertise that one (where the LB reaches it), not its old one.
      for (let i = 0; i < 16 && !placeholders.some((p) => p.ip === l.address); i++) {
        const id = await docker('run', '-d', '--rm', '--network', network, '--entrypoint', 'sleep', 'hscale-lb:latest', '600');
        placeholders.push({ id, ip: await docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id) });
      }
    } finally {
      // --alias: compose's service name, so that DNS finds the container again.
      await docker('network', 'connect', '--alias', 'cluster', network, c.name);
      if (placeholders.length > 0) await run('docker', ['rm', '-f', ...placeholders.map((p) => p.id)]);
    }
    await waitFor(async () => (await docker('exec', c.name, 'redis-cli', 'get', 'e2e:while-cut-off')) === 'written while cut off', 30_000, 'the reconnected cluster to catch up');
    assert.match(await docker('exec', c.name, 'redis-cli', 'info', 'replication'), /role:slave/);
    await waitFor(async () => (await healthyCount()) === 3, 30_000, 'three healthy clusters');
    const [again] = (await containers(PROJECT, 'cluster')).filter((x) => x.id === c.id);
    assert.notDeepEqual(again!.ips, [l.address], 'the reconnected container has its old address: nothing to re-detect');
    const advertised = async () =>
      (await docker('exec', c.name, 'node', '-e', 'fetch("http://127.0.0.1:3000/health").then((r) => r.json()).then((h) => console.log(h.redis.endpoint.host))'));
    await waitFor(async () => again!.ips.includes(await advertised()), 10_000, `the cluster to advertise its new address ${again!.ips}`);
  });

  test('an LB restart in the middle of traffic keeps the leader and its epoch, and loses nothing', async () => {
    const before = await leader();
    const writer = startWriter(lb, { prefix: 'e2e-lb-restart', concurrency: 2, maxWrites: 20_000, maxMs: 30_000 });
    await sleep(1000);
    const [lbc] = await containers(PROJECT, 'lb');
    await docker('restart', '-t', '5', lbc!.name);
    await waitFor(async () => (await call(`${lb}/ready`)).status === 200, 30_000, 'the LB to be ready again');
    await sleep(1000);
    const { acked } = await writer.stop();
    const afterRestart = await leader();
    assert.deepEqual([afterRestart.id, afterRestart.epoch], [before.id, before.epoch], 'followed, not re-elected');
    for (const [key, value] of acked) assert.equal((await call(`${lb}/keys/${key}`)).body.value, value);
  });

  test('a Mandelbrot render with 3 clusters, and the same bytes with a container killed during the render', async () => {
    const url = `${lb}/mandelbrot.png?width=3000&escape=20000`;
    const png = await fetchPng(url);
    assert.deepEqual(pngSize(png), { width: 3000, height: 2880 });
    const leaderAddress = (await leader()).address;
    const victim = (await containers(PROJECT, 'cluster')).find((c) => !c.ips.includes(leaderAddress))!;
    const rendering = fetchPng(url);
    await sleep(300);
    await docker('kill', victim.name);
    const again = await rendering;
    assert.equal(sha(again), sha(png), 'identical image although a cluster was killed mid-render');
    await docker('start', victim.name);
    // Back in full, not only healthy: the tests after this one expect a settled system.
    await waitFor(settled, 60_000, 'three healthy clusters, the restarted one a follower of the current epoch');
  });

  test('the command-line client renders through the LB to a file and uses the cache', async () => {
    const cli = path.join(ROOT, 'client/dist/cli.js');
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-cli-')), 'm.png');
    const r = await run(process.execPath, [cli, '--lb', lb, 'render', '-w', '400', '-e', '500', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`saved 400x384 PNG .* to ${out}`));
    const set = await run(process.execPath, [cli, 'set', 'cli:key', 'cli value'], { HSCALE_LB_URL: lb });
    assert.equal(set.code, 0, set.stderr);
    const got = await run(process.execPath, [cli, 'get', 'cli:key'], { HSCALE_LB_URL: lb });
    assert.deepEqual([got.code, got.stdout.trim()], [0, 'cli value'], got.stderr);
  });

  test('docker stop of the leader container: an election, writes succeed, /health stays 200', async () => {
    const l = await leader();
    const c = await containerWithIp(PROJECT, l.address);
    const health = watchHealth(lb);
    await docker('stop', c.name);
    await waitFor(async () => (await leader()).epoch > l.epoch, 20_000, 'an election');
    assert.equal((await put(`${lb}/keys/e2e:after-stop`, 'ok')).status, 200);
    assert.equal((await call(`${lb}/keys/e2e:visible`)).body.value, 'in redis');
    const statuses = await health.stop();
    assert.deepEqual([...new Set(statuses)], [200]);
    await docker('start', c.name);
  });

  test('./launch-env.sh 5 then 2 rescales in place; /servers follows', async () => {
    const lbBefore = (await containers(PROJECT, 'lb'))[0]!.id;
    const started = Date.now();
    const up = await launch('5', '--no-build');
    assert.equal(up.code, 0, up.stderr);
    const servers = (await call(`${lb}/servers`)).body;
    assert.equal(servers.length, 5);
    assert.ok(servers.every((s: any) => s.healthy && s.source === 'dns'));
    console.log(`# scale 3 -> 5: 5 healthy in /servers ${((Date.now() - started) / 1000).toFixed(1)} s after ./launch-env.sh 5 started`);
    const down = await launch('2', '--no-build');
    assert.equal(down.code, 0, down.stderr);
    assert.equal((await call(`${lb}/servers`)).body.length, 2);
    assert.equal((await containers(PROJECT, 'lb'))[0]!.id, lbBefore, 'the LB was not restarted');
    // The three clusters that left still count for a few seconds (a departure may be a blip):
    // until then a read, which needs the confirmation of a majority of them, may get 503.
    await waitFor(async () => (await call(`${lb}/keys/e2e:visible`)).body.value === 'in redis', 30_000, 'the key readable, no data lost by rescaling');
    const status = await launch('status');
    assert.equal(status.code, 0);
    assert.match(status.stdout, /ADDRESS\s+CONTAINER\s+HEALTHY\s+ROLE/);
    // Container names as Docker has them (v1 hscale-e2e_cluster_1, v2 hscale-e2e-cluster-1), not ids.
    for (const c of await containers(PROJECT, 'cluster')) assert.match(status.stdout, new RegExp(`\\b${c.name}\\b`), status.stdout);
  });

  test('./launch-env.sh 2 --lbs 2: a second LB on its own port, both printed and in status, both serving the same leader', async () => {
    const before = await leader();
    const r = await launch('2', '--lbs', '2', '--no-build');
    assert.equal(r.code, 0, r.stderr);
    const [extra] = await containers(PROJECT, 'lb-extra');
    assert.ok(extra, 'an lb-extra container');
    const port = (await docker('port', extra.id, '8080/tcp')).split('\n')[0]!.split(':').pop()!;
    const second = `http://127.0.0.1:${port}`;
    assert.match(r.stdout, new RegExp(`All 2 LBs.*${lb}.*${second}`));
    assert.deepEqual(await leader(), before, 'adding an LB moves nothing');
    const viaSecond = (await call(`${second}/leader`)).body;
    assert.deepEqual([viaSecond.id, viaSecond.epoch], [before.id, before.epoch]);
    assert.equal((await put(`${second}/keys/e2e:second-lb`, 'both')).status, 200);
    assert.equal((await call(`${lb}/keys/e2e:second-lb`)).body.value, 'both');
    const status = await launch('status');
    assert.match(status.stdout, new RegExp(`${lb}\\s+leader ${before.id} epoch ${before.epoch}`));
    assert.match(status.stdout, new RegExp(`${second}\\s+leader ${before.id} epoch ${before.epoch}`));
    await waitFor(async () => (await call(`${lb}/lbs`)).body.lbs.length === 2, 15_000, 'both LBs in /lbs');
  });

  test('./launch-env.sh down leaves no container or network of the project', async () => {
    const r = await launch('down');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`), '');
    assert.equal(await docker('network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`), '');
  });
});
