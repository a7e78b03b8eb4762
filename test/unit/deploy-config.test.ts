// The deployment files agree with the code: every environment variable they set is a setting the
// service knows, selectors match labels, named ports exist, and nothing uses host networking.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { clusterSettingsSchema } from '../../cluster-image/src/settings.ts';
import { lbSettingsSchema } from '../../lb-image/src/settings.ts';
import { ROOT } from '../helpers/processes.ts';

const lbSettings = new Set(Object.keys(lbSettingsSchema.shape));
// REDIS_PASSWORD also feeds redis-server (entrypoint) and redis-cli; NODE_ENV is Node's own;
// MAX_MEMORY and EVICTION are the entrypoint's (cluster-image/redis-memory-conf.sh).
const clusterSettings = new Set([...Object.keys(clusterSettingsSchema.shape), 'REDIS_PASSWORD_FILE', 'NODE_ENV', 'MAX_MEMORY', 'EVICTION']);
const knownFor = (name: string) => (name.startsWith('lb') ? lbSettings : clusterSettings);

test('compose: services lb, lb-extra and cluster, a bridge network, only the LBs publish ports, known settings', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'compose/docker-compose.yml'), 'utf8'), { merge: true });
  assert.deepEqual(Object.keys(compose.services).sort(), ['cluster', 'lb', 'lb-extra']);
  assert.deepEqual(compose.services['lb-extra'].profiles, ['lbs'], 'the extra LBs only when launch-env.sh asks (--profile lbs)');
  assert.deepEqual(compose.services['lb-extra'].ports, ['${LB_BIND:-127.0.0.1}:${LB_EXTRA_PORTS:-8081-8099}:8080']);
  assert.equal(compose.networks.backend.driver, 'bridge');
  assert.doesNotMatch(readFileSync(path.join(ROOT, 'compose/docker-compose.yml'), 'utf8'), /network_mode/);
  assert.deepEqual(compose.services.lb.ports, ['${LB_BIND:-127.0.0.1}:${LB_PORT:-8080}:8080']);
  assert.equal(compose.services.cluster.ports, undefined, 'Redis and the slaves stay inside the network');
  for (const [name, svc] of Object.entries<any>(compose.services)) {
    assert.equal(svc.build.args.NODE_IMAGE, '${NODE_IMAGE:-node:24-bookworm-slim}');
    assert.ok(svc.healthcheck, `${name} has a healthcheck`);
    assert.deepEqual(svc.healthcheck.test.slice(0, 2), ['CMD', 'healthcheck'], `${name}: the health check is common/healthcheck.sh`);
    for (const key of Object.keys(svc.environment)) assert.ok(knownFor(name).has(key), `${name}: ${key} is not a setting`);
  }
});

test('Dockerfiles take ARG NODE_IMAGE and use no BuildKit-only syntax', () => {
  for (const file of ['cluster-image/Dockerfile', 'lb-image/Dockerfile']) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    assert.match(text, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    assert.match(text, /^HEALTHCHECK .*CMD \["healthcheck"/m);
    assert.doesNotMatch(text, /RUN --mount|COPY --chmod|COPY --link|<<\w+/, `${file} must build with the classic builder`);
  }
});

test('health checks start no Node process: a request through bash\'s /dev/tcp', () => {
  for (const file of ['cluster-image/Dockerfile', 'lb-image/Dockerfile', 'compose/docker-compose.yml']) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const checks = text.split('\n').filter((l) => /HEALTHCHECK|^\s+test:/.test(l));
    assert.ok(checks.length > 0, file);
    for (const line of checks) assert.doesNotMatch(line, /\bnode\b/, `${file}: ${line.trim()}`);
  }
  const script = readFileSync(path.join(ROOT, 'common/healthcheck.sh'), 'utf8');
  const code = script.split('\n').filter((l) => !l.startsWith('#')).join('\n');
  assert.match(script, /^#!\/bin\/bash/);
  assert.match(code, /\/dev\/tcp\/127\.0\.0\.1/);
  assert.doesNotMatch(code, /\bnode\b|curl|wget/);
});

const k8sDocs = () =>
  readdirSync(path.join(ROOT, 'k8s'))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(ROOT, 'k8s', f), 'utf8')).map((d) => ({ file: f, doc: d.toJS() })));

test('k8s: kustomization lists every manifest; one resource per file named <component>-<kind>', () => {
  const kustomization = parse(readFileSync(path.join(ROOT, 'k8s/kustomization.yaml'), 'utf8'));
  const files = readdirSync(path.join(ROOT, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  assert.deepEqual([...kustomization.resources].sort(), files.sort());
  assert.equal(k8sDocs().length, files.length);
});

test('k8s: selectors match template labels, services find pods, named ports exist, discovery is headless', () => {
  const docs = k8sDocs().map((d) => d.doc);
  const deployments = docs.filter((d) => d.kind === 'Deployment');
  const services = docs.filter((d) => d.kind === 'Service');
  for (const d of deployments) {
    assert.deepEqual(d.spec.selector.matchLabels, d.spec.template.metadata.labels, d.metadata.name);
    for (const c of d.spec.template.spec.containers) {
      assert.ok(c.readinessProbe && c.livenessProbe && c.resources?.limits, `${d.metadata.name}: probes and limits`);
      for (const e of c.env) assert.ok(knownFor(d.metadata.name).has(e.name), `${d.metadata.name}: ${e.name} is not a setting`);
    }
  }
  for (const s of services) {
    const target = deployments.find((d) => Object.entries(s.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
    assert.ok(target, `service ${s.metadata.name} selects a deployment`);
    const portNames = target.spec.template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.name));
    for (const p of s.spec.ports) assert.ok(portNames.includes(p.targetPort), `${s.metadata.name}: port ${p.targetPort}`);
  }
  const lbEnv = deployments.find((d) => d.metadata.name === 'lb').spec.template.spec.containers[0].env;
  const dnsName = lbEnv.find((e: any) => e.name === 'CLUSTER_DNS_NAME').value;
  const kustomization = parse(readFileSync(path.join(ROOT, 'k8s/kustomization.yaml'), 'utf8'));
  const discovery = services.find((s) => dnsName === `${s.metadata.name}.${kustomization.namespace}.svc.cluster.local.`);
  assert.equal(discovery?.spec.clusterIP, 'None', 'the LB discovers clusters through a headless Service');
  const lb = deployments.find((d) => d.metadata.name === 'lb');
  assert.ok(lb.spec.replicas >= 2, 'no single LB');
  assert.deepEqual(lb.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, 'old and new LBs overlap in an update');
});

test('k8s: only LB and cluster pods reach the clusters\' ports (NetworkPolicy)', () => {
  const docs = k8sDocs().map((d) => d.doc);
  const policy = docs.find((d) => d.kind === 'NetworkPolicy');
  const cluster = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'cluster');
  assert.deepEqual(policy.spec.podSelector.matchLabels, cluster.spec.template.metadata.labels);
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  const from = policy.spec.ingress.flatMap((r: any) => r.from.map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/name'])).sort();
  assert.deepEqual(from, ['cluster', 'lb']);
  const ports = policy.spec.ingress.flatMap((r: any) => r.ports.map((p: any) => p.port)).sort();
  assert.deepEqual(ports, cluster.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort).sort());
});

test('k8s: kubectl kustomize builds the manifests', (t) => {
  if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) {
    t.skip('kubectl is not installed');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hscale-k8s-'));
  cpSync(path.join(ROOT, 'k8s'), dir, { recursive: true }); // as on a fresh clone: no secrets file
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  assert.match(out, /kind: Deployment/);
  assert.match(out, /image: hscale-cluster:1\.0\.0/);
});

test('hardening: no capabilities but what supervisord needs, no-new-privileges, read-only root, limits (compose and k8s)', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'compose/docker-compose.yml'), 'utf8'), { merge: true });
  const added = { lb: undefined, 'lb-extra': undefined, cluster: ['CHOWN', 'SETUID', 'SETGID', 'KILL'] } as Record<string, string[] | undefined>;
  for (const [name, svc] of Object.entries<any>(compose.services)) {
    assert.deepEqual(svc.cap_drop, ['ALL'], name);
    assert.deepEqual(svc.cap_add, added[name], name);
    assert.deepEqual(svc.security_opt, ['no-new-privileges:true'], name);
    assert.equal(svc.read_only, true, name);
    assert.ok(svc.tmpfs.some((t: string) => t.startsWith('/tmp:')), `${name}: /tmp is a tmpfs`);
    assert.ok(svc.mem_limit, `${name}: memory limit`);
    assert.ok(svc.pids_limit > 0, `${name}: PID limit`);
    assert.equal(svc.privileged, undefined, name);
  }
  for (const { file, doc } of k8sDocs().filter((d) => d.doc.kind === 'Deployment')) {
    const pod = doc.spec.template.spec;
    assert.equal(pod.automountServiceAccountToken, false, file);
    for (const c of pod.containers) {
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, file);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, file);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], file);
      assert.deepEqual(c.securityContext.capabilities.add, added[doc.metadata.name], file);
      assert.ok(c.resources.limits.memory && c.resources.limits.cpu, `${file}: limits`);
      assert.ok(c.volumeMounts.some((m: any) => m.mountPath === '/tmp'), `${file}: /tmp is writable`);
    }
  }
});
