// The change stream's Redis functions (cluster-image/src/store/library.ts) against a real
// redis-server with the image's users: a position whose changes were trimmed, or that this history
// never had, gets "reset"; a kept one gets exactly the changes after it; a retry of a write the
// library recorded before versions existed still answers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from 'redis';
import { LIBRARY } from '../../cluster-image/src/store/library.ts';
import { freePort, Harness, PASSWORD, waitForPort } from '../helpers/processes.ts';

let h: Harness;
let app: ReturnType<typeof createClient>;
before(async () => {
  h = new Harness();
  const port = await freePort();
  h.redisProc(port).start();
  await waitForPort(port);
  const admin = createClient({ socket: { port, host: '127.0.0.1' }, password: PASSWORD });
  await admin.connect();
  await admin.sendCommand(['REPLICAOF', 'NO', 'ONE']); // redis.conf starts every Redis as a replica of nothing (fenced)
  await admin.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', LIBRARY]);
  await admin.sendCommand(['FCALL', 'hs_promote', '1', '\0hs:fence', '1']);
  await admin.close();
  // The slaves' user: every command the functions run must be granted to it.
  app = createClient({ socket: { port, host: '127.0.0.1' }, username: 'app', password: PASSWORD });
  await app.connect();
});
after(async () => {
  await app?.close();
  await h?.stopAll();
});

const KEYS = ['\0hs:fence', '\0hs:index', '\0hs:expiry', 'k', '\0hs:ops', '\0hs:versions', '\0hs:changes'];
let ops = 0;
const write = (value: string, opId = `op${ops++}`, retry = '') => app.sendCommand(['FCALL', 'hs_write_v3', '7', ...KEYS, '1', 'w', '1', retry, 'set', value, '', opId, '']);
const changes = async (afterId: string) => {
  const [status, position, entries] = (await app.sendCommand(['FCALL_RO', 'hs_changes', '2', '\0hs:fence', '\0hs:changes', '1', afterId, '100'])) as [string, string, [string, string[]][]];
  return { status, position, values: entries.map(([, f]) => f[f.indexOf('d') + 1]) };
};

test('resuming: kept changes come after the position; trimmed ones, or a position from another history, give reset', async () => {
  const start = (await changes('')).position;
  await write('a');
  const afterA = (await changes(start)).position;
  await write('b');
  await write('c');
  assert.deepEqual((await changes(start)).values, ['a', 'b', 'c']);
  assert.deepEqual((await changes(afterA)).values, ['b', 'c']);
  assert.equal((await changes('99999999999999-0')).status, 'reset', 'newer than this history');
  assert.equal((await changes('1-99999999999999999999')).status, 'reset', 'a position Redis cannot parse (past 64 bits) is a reset, not an error');
  // Far more changes than the stream keeps (10,000): the first ones are trimmed.
  for (let i = 0; i < 12_000; i += 1000) await Promise.all(Array.from({ length: 1000 }, (_, j) => write(`bulk${i + j}`)));
  assert.equal((await changes(afterA)).status, 'reset', 'changes after this position were trimmed');
  assert.equal((await changes('0-0')).status, 'reset');
  const recent = (await changes('')).position;
  await write('d');
  assert.deepEqual(await changes(recent), { status: 'ok', position: (await changes('')).position, values: ['d'] });
});

test('a retry finds a result recorded before versions existed (a bare count) and answers it', async () => {
  const [t] = (await app.sendCommand(['TIME'])) as [string];
  const bucket = Math.floor((Number(t) * 1000) / 10_000);
  const admin = createClient({ socket: { port: app.options!.socket!.port as number, host: '127.0.0.1' }, password: PASSWORD });
  await admin.connect();
  await admin.sendCommand(['HSET', `\0hs:ops:${bucket}`, 'old-op', '1']);
  await admin.sendCommand(['ZADD', '\0hs:ops', String(bucket), String(bucket)]);
  await admin.close();
  assert.deepEqual(await write('ignored', 'old-op', '1'), [1, 0]);
});
