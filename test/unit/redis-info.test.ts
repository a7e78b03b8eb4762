import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FENCE, parseInfo } from '../../cluster-image/src/redis-info.ts';

const info = (lines: string[]) => ['# Server', 'run_id:abc', '# Replication', ...lines].join('\r\n');

test('a master, a replica and a fenced Redis are told apart', () => {
  const m = parseInfo(info(['role:master', 'connected_slaves:2', 'master_repl_offset:1234']));
  assert.deepEqual([m.role, m.connectedReplicas, m.offset, m.runId], ['master', 2, 1234, 'abc']);
  const r = parseInfo(info(['role:slave', 'master_host:10.0.0.5', 'master_port:6379', 'master_link_status:up', 'master_repl_offset:99']));
  assert.deepEqual([r.role, r.masterHost, r.masterPort, r.linkUp, r.offset], ['replica', '10.0.0.5', 6379, true, 99]);
  const f = parseInfo(info(['role:slave', `master_host:${FENCE.host}`, `master_port:${FENCE.port}`, 'master_link_status:down', 'master_repl_offset:0']));
  assert.equal(f.role, 'fenced');
});

test('replication ids (all zeros means none) and a full sync in progress', () => {
  const r = parseInfo(info(['role:slave', 'master_host:10.0.0.5', 'master_port:6379', 'master_sync_in_progress:1',
    'master_replid:9f0d1c', 'master_replid2:0000000000000000000000000000000000000000']));
  assert.deepEqual([r.replIds, r.syncing], [['9f0d1c'], true]);
  const m = parseInfo(info(['role:master', 'master_replid:aaa', 'master_replid2:bbb']));
  assert.deepEqual([m.replIds, m.syncing], [['aaa', 'bbb'], false]);
});
