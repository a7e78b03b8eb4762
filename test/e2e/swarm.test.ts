// End to end on Docker Swarm: ./launch-env.sh --swarm deploys the same images as a stack on a
// single-node swarm (created here when this engine is in none, and left afterwards), discovery
// through tasks.cluster on an overlay network, secrets as Docker secrets, the LB's port published
// in host mode. Its own stack name, port and env file: it never touches a system you have running.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, ROOT, sleep } from '../helpers/processes.ts';
import { call, del, put } from '../helpers/http.ts';
import { docker, run } from '../helpers/docker.ts';

const STACK = 'hscale-e2e-swarm';
let env: NodeJS.ProcessEnv;
let lb = '';
let createdSwarm = false;

const launch = (...args: string[]) => run(path.join(ROOT, 'launch-env.sh'), ['--swarm', ...args], env);
const leader = async () => (await call(`${lb}/leader`)).body as { address: string; epoch: number };
async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}
/** Running task containers of one of the stack's services: id and overlay addresses. */
async function tasks(service: 'lb' | 'cluster') {
  const ids = (await docker('ps', '-q', '--filter', `label=com.docker.swarm.service.name=${STACK}_${service}`)).split('\n').filter(Boolean);
  return Promise.all(ids.map(async (id) => ({ id, ips: (await docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', id)).split(' ').filter(Boolean) })));
}
const leftovers = async () =>
  [
    await docker('service', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${STACK}`),
    await docker('network', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${STACK}`),
    await docker('secret', 'ls', '-q', '--filter', `name=${STACK}_`),
  ].join('');

before(async () => {
  if ((await docker('info', '--format', '{{.Swarm.LocalNodeState}}')) !== 'active') {
    await docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
    createdSwarm = true;
  }
  const port = await freePort();
  env = { LB_PORT: String(port), COMPOSE_PROJECT_NAME: STACK, HSCALE_ENV_FILE: path.join(mkdtempSync(path.join(os.tmpdir(), 'hscale-swarm-')), '.env') };
  lb = `http://127.0.0.1:${port}`;
});

after(async () => {
  await launch('down');
  if (createdSwarm) await run('docker', ['swarm', 'leave', '--force']);
});

describe('the system on Docker Swarm', () => {
  test('outside a swarm: a clear error that gives the docker swarm init command', async (t) => {
    if (!createdSwarm) return t.skip('this engine was already in a swarm before the test');
    await docker('swarm', 'leave', '--force');
    try {
      const r = await launch('3', '--no-build');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /not part of a swarm[^]*docker swarm init --advertise-addr/);
    } finally {
      await docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
    }
  });

  test('./launch-env.sh --swarm 3 builds, deploys the stack, waits for health and prints how to use it', async () => {
    const r = await launch('3');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /3\/3 healthy, leader/);
    assert.match(r.stdout, new RegExp(`The system is up: ${lb}`));
    assert.match(r.stdout, new RegExp(`docker exec ${STACK}_cluster\\.\\d\\.\\w+ redis-cli`), 'a container name that exists');
    console.log(`# launch-env.sh --swarm 3 took ${(r.ms / 1000).toFixed(1)} s`);
    // Every secret is a Docker secret, read from /run/secrets: none is in a service's environment.
    for (const service of ['lb', 'cluster']) {
      const spec = await docker('service', 'inspect', '-f', '{{json .Spec.TaskTemplate.ContainerSpec}}', `${STACK}_${service}`);
      assert.doesNotMatch(spec, /"(REDIS_PASSWORD|CLUSTER_SECRET|ADMIN_TOKEN)=/, service);
      assert.match(spec, /_FILE=\/run\/secrets\//, service);
    }
  });

  test('every key-value route through the published port; the clusters are the tasks on the overlay network', async () => {
    assert.equal((await put(`${lb}/keys/swarm:a`, 'one')).status, 200);
    assert.equal((await put(`${lb}/keys/swarm:b`, 'two')).status, 200);
    assert.equal((await call(`${lb}/keys/swarm:a`)).body.value, 'one');
    assert.deepEqual((await call(`${lb}/keys?prefix=swarm:`)).body.keys, ['swarm:a', 'swarm:b']);
    assert.equal((await del(`${lb}/keys/swarm:b`)).status, 200);
    assert.equal((await call(`${lb}/keys/swarm:b`)).status, 404);
    const taskIps = (await tasks('cluster')).flatMap((t) => t.ips);
    const servers = (await call(`${lb}/servers`)).body as { address: string; source: string }[];
    assert.equal(servers.length, 3);
    for (const s of servers) assert.ok(taskIps.includes(s.address) && s.source === 'dns', `${s.address} is a task found through tasks.cluster`);
    const status = await launch('status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`${STACK}_cluster\\.\\d\\.\\w+\\s+true\\s+leader`));
  });

  test('docker kill of the leader\'s task: an election, the earlier key is still there, Swarm starts a new task', async () => {
    const before = await leader();
    const victim = (await tasks('cluster')).find((t) => t.ips.includes(before.address));
    assert.ok(victim, `a task has the leader's address ${before.address}`);
    await docker('kill', victim.id);
    await waitFor(async () => (await leader()).epoch > before.epoch && (await leader()).address !== before.address, 30_000, 'a new leader');
    assert.equal((await call(`${lb}/keys/swarm:a`)).body.value, 'one', 'the acknowledged write survived the failover');
    assert.equal((await put(`${lb}/keys/swarm:after`, 'three')).status, 200);
    await waitFor(async () => (await call(`${lb}/health`)).body.clusters.healthy === 3, 90_000, 'Swarm to replace the task (3 healthy)');
  });

  test('./launch-env.sh --swarm 5 rescales in place (the LB keeps running); --swarm down leaves no service, network or secret', async () => {
    const [lbTask] = await tasks('lb');
    assert.ok(lbTask, 'the LB task runs on this node');
    const r = await launch('5', '--no-build');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /rescaling to 5 clusters in place/);
    assert.equal((await call(`${lb}/servers`)).body.length, 5);
    assert.equal((await tasks('lb'))[0]?.id, lbTask.id, 'the LB was not restarted');
    assert.equal((await call(`${lb}/keys/swarm:after`)).body.value, 'three');
    const down = await launch('down');
    assert.equal(down.code, 0, down.stdout + down.stderr);
    assert.equal(await leftovers(), '', 'no service, network or secret of the stack is left');
  });
});
