// Kubernetes-style discovery, on Docker: cluster containers that answer only to the name a
// headless Service has in a pod's DNS (cluster.hscale.svc.cluster.local), and an LB with a pod's
// resolver settings (search domains, ndots:5). With the manifests' CLUSTER_DNS_NAME (the fully
// qualified name), and with the short name "cluster" through the search domains as getaddrinfo
// would, the LB must find every cluster and elect a leader.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { freePort, ROOT, sleep } from '../helpers/processes.ts';
import { call, put } from '../helpers/http.ts';
import { docker, run } from '../helpers/docker.ts';

const TAG = 'k8s-dns-test'; // own image tags: never the ones a running system uses
const NAME = `hscale-k8sdns-${randomBytes(3).toString('hex')}`;
const secret = () => randomBytes(24).toString('hex');
const SECRETS = { REDIS_PASSWORD: secret(), CLUSTER_SECRET: secret(), ADMIN_TOKEN: secret() };
// The name the manifests give the LB (k8s/lb-deployment.yaml), not a copy of it.
const MANIFEST_DNS_NAME = (parse(readFileSync(`${ROOT}/k8s/lb-deployment.yaml`, 'utf8')).spec.template.spec.containers[0].env as { name: string; value?: string }[])
  .find((e) => e.name === 'CLUSTER_DNS_NAME')!.value!;

/** An LB container with what a pod in namespace hscale gets in /etc/resolv.conf; its URL. */
async function startLb(dnsName: string): Promise<string> {
  await run('docker', ['rm', '-f', `${NAME}-lb`]); // one LB at a time: two would both run elections
  const port = await freePort();
  await docker('run', '-d', '--name', `${NAME}-lb`, '--network', NAME, '-p', `127.0.0.1:${port}:8080`,
    '--dns-search', 'hscale.svc.cluster.local', '--dns-search', 'svc.cluster.local', '--dns-search', 'cluster.local', '--dns-option', 'ndots:5',
    '-e', `CLUSTER_DNS_NAME=${dnsName}`, '-e', 'CLUSTER_PORT=3000', '-e', `CLUSTER_SECRET=${SECRETS.CLUSTER_SECRET}`, '-e', `ADMIN_TOKEN=${SECRETS.ADMIN_TOKEN}`,
    `hscale-lb:${TAG}`);
  return `http://127.0.0.1:${port}`;
}

/** Both clusters found through DNS and healthy, a leader (ready), and a write that reads back. */
async function assertBothFound(lb: string, key: string) {
  // fetch's sockets and timers do not keep Node running: without this, the test would end early.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const deadline = Date.now() + 60_000;
    let servers: { source: string; healthy: boolean }[] = [];
    for (;;) {
      servers = await call(`${lb}/servers`).then((r) => r.body as typeof servers, () => []);
      const ready = await call(`${lb}/ready`).then((r) => r.status, () => 0);
      if (servers.filter((s) => s.source === 'dns' && s.healthy).length === 2 && ready === 200) break;
      if (Date.now() > deadline) {
        const logs = await run('docker', ['logs', '--tail', '30', `${NAME}-lb`]);
        assert.fail(`the LB did not find both clusters: ${JSON.stringify(servers)}\n${logs.stdout}${logs.stderr}`);
      }
      await sleep(500);
    }
    assert.equal((await put(`${lb}/keys/${key}`, 'found')).status, 200);
    assert.equal((await call(`${lb}/keys/${key}`)).body.value, 'found');
  } finally {
    clearInterval(keepAlive);
  }
}

before(async () => {
  const nodeImage = process.env.NODE_IMAGE ?? 'node:24-bookworm-slim';
  for (const image of ['cluster', 'lb']) {
    const r = await run('docker', ['build', '-q', '-t', `hscale-${image}:${TAG}`, '--build-arg', `NODE_IMAGE=${nodeImage}`, '-f', `${ROOT}/${image}-image/Dockerfile`, ROOT]);
    assert.equal(r.code, 0, r.stderr);
  }
  await docker('network', 'create', NAME);
  for (let i = 1; i <= 2; i++) {
    await docker('run', '-d', '--name', `${NAME}-cluster-${i}`, '--network', NAME, '--network-alias', 'cluster.hscale.svc.cluster.local',
      '-e', `REDIS_PASSWORD=${SECRETS.REDIS_PASSWORD}`, '-e', `CLUSTER_SECRET=${SECRETS.CLUSTER_SECRET}`, `hscale-cluster:${TAG}`);
  }
});

after(async () => {
  await run('docker', ['rm', '-f', `${NAME}-lb`, `${NAME}-cluster-1`, `${NAME}-cluster-2`]);
  await run('docker', ['network', 'rm', NAME]);
});

test('the manifests\' CLUSTER_DNS_NAME (the Service\'s fully qualified name) finds both clusters; a leader is elected', async () => {
  assert.equal(MANIFEST_DNS_NAME, 'cluster.hscale.svc.cluster.local.');
  await assertBothFound(await startLb(MANIFEST_DNS_NAME), 'k8s-dns-fqdn');
});

test('the short name "cluster" finds both clusters through the search domains', async () => {
  // The name itself does not resolve on this network: only the fully qualified alias does.
  const plain = await run('docker', ['exec', `${NAME}-cluster-1`, 'getent', 'hosts', 'cluster']);
  assert.notEqual(plain.code, 0, 'the short name resolves without search domains: the test would prove nothing');
  await assertBothFound(await startLb('cluster'), 'k8s-dns-short');
  const logs = await run('docker', ['logs', `${NAME}-lb`]);
  assert.match(logs.stdout + logs.stderr, /"as":"cluster\.hscale\.svc\.cluster\.local"/);
});
