import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSettings } from '../../common/src/settings.ts';
import { loadLbSettings } from '../../lb-image/src/settings.ts';
import { loadClusterSettings } from '../../cluster-image/src/settings.ts';

test('the defaults in config/ are valid for both services', () => {
  const lb = loadLbSettings({});
  assert.equal(lb.PORT, 8080);
  assert.equal(lb.FAILURE_THRESHOLD, 3);
  const cl = loadClusterSettings({});
  assert.equal(cl.WRITE_ACK, 'replica');
});

test('environment variables override the defaults and are coerced', () => {
  const lb = loadLbSettings({ FAILURE_THRESHOLD: '5', STATIC_CLUSTERS: '127.0.0.1:3001, host-b:3002' });
  assert.equal(lb.FAILURE_THRESHOLD, 5);
  assert.deepEqual(lb.STATIC_CLUSTERS, [{ address: '127.0.0.1', port: 3001 }, { address: 'host-b', port: 3002 }]);
});

test('a bad setting stops start-up with a message that names it and says why', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ FAILURE_THRESHOLD: 'three' }, /FAILURE_THRESHOLD: must be a number/],
    [{ PORT: '70000' }, /PORT: must be at most 65535 \(got "70000"\)/],
    [{ STATIC_CLUSTERS: 'nohost' }, /STATIC_CLUSTERS: "nohost" is not host:port/],
    [{ PROBE_INTERVAL_MS: '1.5' }, /PROBE_INTERVAL_MS: must be a whole number/],
  ];
  for (const [env, pattern] of cases) {
    assert.throws(() => loadLbSettings(env), (err: unknown) => (err as Error).name === 'SettingsError' && pattern.test((err as Error).message), JSON.stringify(env));
  }
  assert.throws(() => loadClusterSettings({ WRITE_ACK: 'all' }), /WRITE_ACK: must be one of replica, leader/);
});

test('unknown keys in a defaults file are reported (typos)', async () => {
  const { z } = await import('zod');
  assert.throws(() => loadSettings(z.object({ A: z.string() }), { A: 'x', B: 'y' }, {}), /B: not a known setting/);
});
