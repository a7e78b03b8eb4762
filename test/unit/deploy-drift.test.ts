// The three ways to deploy (compose, Swarm's stack, Kubernetes) and the defaults in config/ must
// agree: the same services, ports, discovery name, settings and secrets. Each file is also checked
// against its format: the Kubernetes manifests against the Kubernetes API schemas
// (kubernetes-models), rendered through kustomize's namespace as kubectl would apply them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ROOT } from '../helpers/processes.ts';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const compose = parse(read('compose/docker-compose.yml'), { merge: true });
const stack = parse(read('compose/docker-stack.yml'), { merge: true });
const config = { lb: JSON.parse(read('config/lb.json')), cluster: JSON.parse(read('config/cluster.json')) };
const kustomization = parse(read('k8s/kustomization.yaml'));
const manifests = readdirSync(path.join(ROOT, 'k8s'))
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(read(`k8s/${f}`)).map((d) => ({ file: f, doc: d.toJS() })));
const deployment = (name: string) => manifests.find((m) => m.doc.kind === 'Deployment' && m.doc.metadata.name === name)!.doc;
const k8sContainer = (name: string) => deployment(name).spec.template.spec.containers[0];
const k8sEnv = (name: string): Record<string, any> => Object.fromEntries(k8sContainer(name).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const SECRETS = { lb: ['CLUSTER_SECRET', 'ADMIN_TOKEN'], cluster: ['REDIS_PASSWORD', 'CLUSTER_SECRET'] };

test('Kubernetes manifests validate against the API schemas (kubernetes-models)', () => {
  const models: Record<string, new (o: any) => { validate(): void }> = { Deployment, Service, Namespace, NetworkPolicy };
  for (const { file, doc } of manifests) {
    const Model = models[doc.kind];
    assert.ok(Model, `${file}: no schema for kind ${doc.kind}`);
    // As kustomize renders it: in the kustomization's namespace.
    const rendered = doc.kind === 'Namespace' ? doc : { ...doc, metadata: { ...doc.metadata, namespace: kustomization.namespace } };
    assert.doesNotThrow(() => new Model(rendered).validate(), `${file} is not a valid ${doc.kind}`);
  }
});

test('the schema check can fail: a missing selector, a wrong type, a container without a name are refused', () => {
  const lb = deployment('lb');
  const { selector: _selector, ...withoutSelector } = lb.spec;
  const broken = [
    { ...lb, spec: withoutSelector },
    { ...lb, spec: { ...lb.spec, replicas: 'one' } },
    { ...lb, spec: { ...lb.spec, template: { ...lb.spec.template, spec: { ...lb.spec.template.spec, containers: [{ image: 'hscale-lb' }] } } } },
  ];
  for (const doc of broken) assert.throws(() => new Deployment(doc).validate());
});

test('the same services everywhere (the LBs, the clusters), with the same ports as the defaults in config/', () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['cluster', 'lb', 'lb-extra']);
  assert.deepEqual(Object.keys(stack.services).sort(), ['cluster', 'lb', 'lb-extra']);
  for (const file of [compose, stack]) assert.deepEqual(file.services['lb-extra'].environment, file.services.lb.environment, 'every LB alike');
  assert.deepEqual(manifests.filter((m) => m.doc.kind === 'Deployment').map((m) => m.doc.metadata.name).sort(), ['cluster', 'lb']);
  // The LB's port: config/lb.json PORT, what compose and the stack publish, the pod's port.
  assert.equal(compose.services.lb.ports[0].split(':').at(-1), String(config.lb.PORT));
  assert.equal(stack.services.lb.ports[0].target, config.lb.PORT);
  assert.equal(k8sContainer('lb').ports.find((p: any) => p.name === 'http').containerPort, config.lb.PORT);
  // The slave's and Redis' ports: config/cluster.json, where the LB looks for the slaves, the pod's ports.
  assert.equal(config.lb.CLUSTER_PORT, config.cluster.PORT);
  for (const env of [compose.services.lb.environment, stack.services.lb.environment, k8sEnv('lb')]) assert.equal(Number(env.CLUSTER_PORT), config.cluster.PORT);
  const clusterPorts = Object.fromEntries(k8sContainer('cluster').ports.map((p: any) => [p.name, p.containerPort]));
  assert.deepEqual(clusterPorts, { http: config.cluster.PORT, redis: config.cluster.REDIS_PORT });
  // Health checks ask the same port everywhere.
  for (const svc of ['lb', 'cluster'] as const) {
    assert.deepEqual(compose.services[svc].healthcheck.test, ['CMD', 'healthcheck', String(config[svc].PORT)]);
    assert.deepEqual(stack.services[svc].healthcheck.test, compose.services[svc].healthcheck.test);
    assert.match(read(`${svc}-image/Dockerfile`), new RegExp(`CMD \\["healthcheck", "${config[svc].PORT}"\\]`));
  }
});

test('the LB discovers the cluster service by its name in each orchestrator', () => {
  assert.equal(compose.services.lb.environment.CLUSTER_DNS_NAME, 'cluster.');
  assert.equal(stack.services.lb.environment.CLUSTER_DNS_NAME, 'tasks.cluster.');
  assert.equal(k8sEnv('lb').CLUSTER_DNS_NAME, `cluster.${kustomization.namespace}.svc.cluster.local.`);
});

test('the same settings and secrets everywhere; secrets never as plain values', () => {
  for (const svc of ['lb', 'cluster'] as const) {
    const composeEnv = compose.services[svc].environment;
    const stackEnv = stack.services[svc].environment;
    const kubeEnv = k8sEnv(svc);
    for (const secret of SECRETS[svc]) {
      assert.match(composeEnv[secret], /^\$\{\w+:\?/, `compose ${svc}: ${secret} comes from compose/.env, required`);
      assert.match(stackEnv[`${secret}_FILE`], /^\/run\/secrets\/\w+$/, `stack ${svc}: ${secret} is a Docker secret`);
      assert.ok(stack.services[svc].secrets.includes(path.basename(stackEnv[`${secret}_FILE`])), `stack ${svc}: ${secret} is mounted`);
      assert.equal(kubeEnv[secret]?.secretKeyRef?.name, 'hscale-secrets', `k8s ${svc}: ${secret} from the Secret`);
    }
    // Every other setting compose gives a service, the stack gives too, with the same default.
    for (const [key, value] of Object.entries<string>(composeEnv)) {
      if ((SECRETS[svc] as string[]).includes(key) || key === 'CLUSTER_DNS_NAME') continue;
      assert.equal(stackEnv[key], value, `stack ${svc}: ${key}`);
    }
    // The cluster's Redis settings are the same in Kubernetes, and WRITE_ACK's default is config/'s.
    if (svc === 'cluster') {
      for (const key of ['MAX_MEMORY', 'EVICTION']) assert.equal(kubeEnv[key], /:-(\w+)\}/.exec(composeEnv[key])![1], `k8s cluster: ${key}`);
      assert.equal(/:-(\w+)\}/.exec(composeEnv.WRITE_ACK)![1], config.cluster.WRITE_ACK);
    }
  }
});

test('the stack is hardened like the compose file, and its secrets are the ones launch-env.sh creates', () => {
  for (const svc of ['lb', 'cluster'] as const) {
    assert.deepEqual(stack.services[svc].cap_drop, compose.services[svc].cap_drop, svc);
    assert.deepEqual(stack.services[svc].cap_add, compose.services[svc].cap_add, svc);
    assert.equal(stack.services[svc].read_only, true, svc);
    const tmpfs = stack.services[svc].volumes.filter((v: any) => v.type === 'tmpfs').map((v: any) => v.target).sort();
    assert.deepEqual(tmpfs, compose.services[svc].tmpfs.map((t: string) => t.split(':')[0]).sort(), `${svc}: the same tmpfs mounts`);
    assert.equal(stack.services[svc].deploy.resources.limits.memory, compose.services[svc].mem_limit, `${svc}: the same memory limit`);
  }
  assert.equal(stack.services.lb.deploy.replicas, 1, 'exactly one LB');
  assert.equal(stack.services.lb.ports[0].mode, 'host');
  assert.equal(stack.networks.backend.driver, 'overlay');
  const script = read('launch-env.sh');
  assert.match(script, /SECRET_NAMES=\(REDIS_PASSWORD CLUSTER_SECRET ADMIN_TOKEN\)/);
  for (const [key, secret] of Object.entries<any>(stack.secrets)) {
    assert.equal(secret.external, true, key);
    assert.match(secret.name, /^\$\{STACK:-hscale\}_(redis_password|cluster_secret|admin_token)$/, key);
  }
});
