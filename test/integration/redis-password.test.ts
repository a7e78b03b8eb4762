// Redis' users and password, as the cluster entrypoint writes them into redis.conf
// (cluster-image/redis-auth-conf.sh; never on a command line). Any character of the password must
// survive that, and each user may run only what its role needs: the slaves' application user is
// refused CONFIG, FLUSHALL, KEYS and the like, the replication user everything but replication.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createClient } from 'redis';
import { Proc, ROOT, freePort, waitForPort } from '../helpers/processes.ts';

const password = 'a"b\\c d$HOME\'e`f#g\u00e9\u4e2d\\x41';
// In the image both are made afresh per container: the other clusters know only the shared password.
const CONTROL = 'control-only-" \\x41';
const OPERATOR = 'operator-only-$x';
let port = 0;
let redis: Proc;

before(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hscale-pw-'));
  port = await freePort();
  const conf = path.join(dir, 'redis.conf');
  const env = { ...process.env, REDIS_PASSWORD: password, REDIS_CONTROL_PASSWORD: CONTROL, REDIS_OPERATOR_PASSWORD: OPERATOR };
  const users = execFileSync(path.join(ROOT, 'cluster-image/redis-auth-conf.sh'), { env }).toString();
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nappendonly no\n${users}`);
  redis = new Proc('redis:password', 'redis-server', [conf]).start();
  await waitForPort(port);
});
after(() => redis?.child?.kill('SIGKILL'));

async function as(username: string | undefined, pw = password) {
  const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, username, password: pw });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

test('a password with quotes, backslashes, spaces, $ and non-ASCII characters starts Redis and is the one it asks for', async () => {
  for (const [user, pw] of [[undefined, OPERATOR], ['app', password], ['control', CONTROL], ['repl', password]] as const) {
    const c = await as(user, pw);
    assert.equal(await c.ping(), 'PONG', user);
    await c.quit();
  }
  await assert.rejects(as('app', 'a"b'), /WRONGPASS|invalid username-password/);
  // The shared password opens neither the operator's nor the control user's door.
  await assert.rejects(as(undefined, password), /WRONGPASS|invalid username-password/);
  await assert.rejects(as('control', password), /WRONGPASS|invalid username-password/);
});

test('the application user is refused every command it does not need; the operator (default user) is not', async () => {
  const app = await as('app');
  for (const forbidden of [['CONFIG', 'GET', 'port'], ['CONFIG', 'SET', 'masterauth', 'x'], ['FLUSHALL'], ['FLUSHDB'], ['DEBUG', 'SLEEP', '0'], ['SHUTDOWN', 'NOSAVE'], ['MODULE', 'LIST'], ['ACL', 'LIST'], ['KEYS', '*'], ['MONITOR'], ['REPLICAOF', 'NO', 'ONE'], ['FUNCTION', 'FLUSH'], ['EVAL', 'return 1', '0'], ['SCAN', '0']]) {
    // DEBUG is also off for everyone (enable-debug-command no), which Redis checks first.
    await assert.rejects(app.sendCommand(forbidden), forbidden[0] === 'DEBUG' ? /NOPERM|DEBUG command not allowed/ : /NOPERM/, forbidden.join(' '));
  }
  // What it needs: reads and writes through the library (here a plain SET/GET stand in), INFO, WAIT.
  assert.equal(await app.sendCommand(['SET', 'k', 'v']), 'OK');
  assert.match(String(await app.sendCommand(['INFO', 'replication'])), /role:master/);
  assert.equal(await app.sendCommand(['WAIT', '0', '10']), 0);
  await app.quit();

  const repl = await as('repl');
  await assert.rejects(repl.sendCommand(['GET', 'k']), /NOPERM/);
  await repl.quit();
  // control may set a configuration (the replication password of an epoch, masterauth), but not
  // read one, flush, or move where Redis writes its files (a protected configuration).
  const control = await as('control', CONTROL);
  await assert.rejects(control.sendCommand(['FLUSHALL']), /NOPERM/);
  await assert.rejects(control.sendCommand(['CONFIG', 'GET', 'masterauth']), /NOPERM/);
  await assert.rejects(control.sendCommand(['CONFIG', 'SET', 'dir', '/tmp']), /protected config/);
  await control.quit();

  const operator = await as(undefined, OPERATOR);
  assert.match(JSON.stringify(await operator.sendCommand(['CONFIG', 'GET', 'port'])), new RegExp(String(port)));
  assert.equal(await operator.sendCommand(['GET', 'k']), 'v');
  await operator.quit();
});
