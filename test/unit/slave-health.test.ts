import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_EPOCH } from '../../common/src/protocol-schemas.ts';
import { parseSlaveHealth } from '../../lb-image/src/health/slave-health.ts';

const valid = {
  name: 'c1', epoch: 3, promised: 3, voters: 3, dataEpoch: 3, role: 'follower', leaderId: '10.0.0.2:3000', leaderReachable: true,
  redis: { up: true, role: 'replica', endpoint: { host: '10.0.0.3', port: 6379 }, offset: 1234, runId: 'r', replIds: ['a', 'b'], replOffset2: -1, syncing: false, linkUp: true, connectedReplicas: 0 },
};

test('a well-formed health report is accepted as it is', () => {
  assert.deepEqual(parseSlaveHealth(JSON.stringify(valid)), valid);
  // One without the election fields (a slave of an older version) reads as "never promised".
  const { promised: _p, voters: _v, dataEpoch: _d, ...old } = valid;
  assert.deepEqual(parseSlaveHealth(JSON.stringify(old)), { ...old, promised: 0, voters: 0, dataEpoch: 0 });
});

test('malformed or absurd health reports are refused (the probe counts as failed)', () => {
  const bad: [string, unknown][] = [
    ['not JSON', '{"epoch":'],
    ['an epoch beyond the bound', { ...valid, epoch: MAX_EPOCH + 1 }],
    ['a negative epoch', { ...valid, epoch: -1 }],
    ['a fractional epoch', { ...valid, epoch: 1.5 }],
    ['a promise beyond the bound', { ...valid, promised: MAX_EPOCH + 1 }],
    ['an epoch as a string', { ...valid, epoch: '3' }],
    ['an unknown role', { ...valid, role: 'king' }],
    ['no redis section', { ...valid, redis: undefined }],
    ['a port out of range', { ...valid, redis: { ...valid.redis, endpoint: { host: 'h', port: 70000 } } }],
    ['an unsafe offset', { ...valid, redis: { ...valid.redis, offset: 2 ** 60 } }],
    ['a huge name', { ...valid, name: 'x'.repeat(10_000) }],
    ['an array', [valid]],
  ];
  for (const [what, body] of bad) assert.equal(parseSlaveHealth(typeof body === 'string' ? body : JSON.stringify(body)), null, what);
});
