import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadSettings } from '../../common/src/settings.ts';
import { loadLbSettings } from '../../lb-image/src/settings.ts';
import { loadClusterSettings } from '../../cluster-image/src/settings.ts';

const SECRETS = { CLUSTER_SECRET: 'a-cluster-secret-of-32-characters', ADMIN_TOKEN: 'an-admin-token-of-30-characters' };

test('the defaults in config/ are valid for both services (given the secrets)', () => {
  const lb = loadLbSettings(SECRETS);
  assert.equal(lb.PORT, 8080);
  assert.equal(lb.FAILURE_THRESHOLD, 3);
  assert.equal(lb.INSECURE_DEV_MODE, false);
  const cl = loadClusterSettings(SECRETS);
  assert.equal(cl.WRITE_ACK, 'replica');
});

test('without secrets neither service starts, unless INSECURE_DEV_MODE=1; the message never shows a secret', () => {
  const refused = (load: () => unknown, pattern: RegExp) =>
    assert.throws(load, (err: unknown) => (err as Error).name === 'SettingsError' && pattern.test((err as Error).message));
  refused(() => loadLbSettings({}), /CLUSTER_SECRET: required[^]*ADMIN_TOKEN: required/);
  refused(() => loadLbSettings({ CLUSTER_SECRET: SECRETS.CLUSTER_SECRET }), /ADMIN_TOKEN: required; .*openssl rand -hex 24.*INSECURE_DEV_MODE=1/);
  refused(() => loadClusterSettings({}), /CLUSTER_SECRET: required/);
  try {
    loadClusterSettings({ CLUSTER_SECRET: 'short-Secret' });
    assert.fail('a 12-character secret was accepted');
  } catch (err) {
    assert.match((err as Error).message, /CLUSTER_SECRET: too short \(12 characters, at least 16\)/);
    assert.doesNotMatch((err as Error).message, /short-Secret/);
  }
  refused(() => loadClusterSettings({ CLUSTER_SECRET: 'a secret with spaces in it' }), /CLUSTER_SECRET: may hold only printable ASCII characters without spaces/);
  refused(() => loadClusterSettings({ CLUSTER_SECRET: 'geheimes-passwört-lang' }), /CLUSTER_SECRET: may hold only printable ASCII/);
  assert.equal(loadLbSettings({ INSECURE_DEV_MODE: '1' }).CLUSTER_SECRET, '');
  assert.equal(loadClusterSettings({ INSECURE_DEV_MODE: 'true' }).INSECURE_DEV_MODE, true);
  refused(() => loadClusterSettings({ INSECURE_DEV_MODE: 'yes' }), /INSECURE_DEV_MODE: must be 1 or 0/);
});

test('environment variables override the defaults and are coerced', () => {
  const lb = loadLbSettings({ ...SECRETS, FAILURE_THRESHOLD: '5', STATIC_CLUSTERS: '127.0.0.1:3001, host-b:3002' });
  assert.equal(lb.FAILURE_THRESHOLD, 5);
  assert.deepEqual(lb.STATIC_CLUSTERS, [{ address: '127.0.0.1', port: 3001 }, { address: 'host-b', port: 3002 }]);
});

test('NAME_FILE reads a secret from a file (Docker and Kubernetes secrets); an unreadable one is named', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hscale-settings-'));
  writeFileSync(path.join(dir, 'admin'), `${SECRETS.ADMIN_TOKEN}\n`);
  writeFileSync(path.join(dir, 'cluster'), SECRETS.CLUSTER_SECRET);
  const lb = loadLbSettings({ ADMIN_TOKEN_FILE: path.join(dir, 'admin'), CLUSTER_SECRET_FILE: path.join(dir, 'cluster') });
  assert.equal(lb.ADMIN_TOKEN, SECRETS.ADMIN_TOKEN, 'the trailing newline is dropped');
  assert.equal(lb.CLUSTER_SECRET, SECRETS.CLUSTER_SECRET);
  assert.throws(
    () => loadClusterSettings({ CLUSTER_SECRET_FILE: path.join(dir, 'missing') }),
    /CLUSTER_SECRET_FILE: cannot read .*missing: ENOENT/,
  );
});

test('a bad setting stops start-up with a message that names it and says why', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ FAILURE_THRESHOLD: 'three' }, /FAILURE_THRESHOLD: must be a number/],
    [{ PORT: '70000' }, /PORT: must be at most 65535 \(got "70000"\)/],
    [{ STATIC_CLUSTERS: 'nohost' }, /STATIC_CLUSTERS: "nohost" is not host:port/],
    [{ PROBE_INTERVAL_MS: '1.5' }, /PROBE_INTERVAL_MS: must be a whole number/],
  ];
  for (const [env, pattern] of cases) {
    assert.throws(() => loadLbSettings({ ...SECRETS, ...env }), (err: unknown) => (err as Error).name === 'SettingsError' && pattern.test((err as Error).message), JSON.stringify(env));
  }
  assert.throws(() => loadClusterSettings({ ...SECRETS, WRITE_ACK: 'all' }), /WRITE_ACK: must be one of replica, leader/);
  assert.throws(() => loadClusterSettings({ ...SECRETS, SIGNUP_SCHEDULE: 'every 5 s' }), /SIGNUP_SCHEDULE: must be a cron expression/);
  assert.throws(() => loadLbSettings({ ...SECRETS, DNS_REFRESH_SECONDS: '7' }), /DNS_REFRESH_SECONDS: must divide 60/);
  assert.equal(loadLbSettings({ ...SECRETS, DNS_REFRESH_SECONDS: '15' }).DNS_REFRESH_SECONDS, 15);
  // A request the LB could still retry after the leader forgot its first attempt: refused.
  assert.throws(() => loadLbSettings({ ...SECRETS, REQUEST_TIMEOUT_MS: '9000' }), /a request may be retried for 3 x 9000 \+ 4000 = 31000 ms; at most 25000/);
  assert.equal(loadLbSettings({ ...SECRETS, REQUEST_TIMEOUT_MS: '7000' }).REQUEST_TIMEOUT_MS, 7000);
});

test('unknown keys in a defaults file are reported (typos)', async () => {
  const { z } = await import('zod');
  assert.throws(() => loadSettings(z.object({ A: z.string() }), { A: 'x', B: 'y' }, {}), /B: not a known setting/);
});
