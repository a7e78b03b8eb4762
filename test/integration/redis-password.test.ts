// The cluster entrypoint writes the Redis password into redis.conf (never on a command line). Any
// character must survive that: a real redis-server reads the file and accepts exactly that password.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createClient } from 'redis';
import { Proc, ROOT, freePort, waitForPort } from '../helpers/processes.ts';

const quote = (value: string) =>
  execFileSync('sh', ['-c', `. "${path.join(ROOT, 'cluster-image/redis-conf-quote.sh')}" && redis_conf_quote "$V"`], { env: { ...process.env, V: value } }).toString();

test('a password with quotes, backslashes, spaces, $ and non-ASCII characters starts Redis and is the one it asks for', async () => {
  const password = 'a"b\\c d$HOME\'e`f#g\u00e9\u4e2d\\x41';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hscale-pw-'));
  const port = await freePort();
  const conf = path.join(dir, 'redis.conf');
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nappendonly no\nrequirepass ${quote(password)}\n`);
  const redis = new Proc('redis:password', 'redis-server', [conf]).start();
  try {
    await waitForPort(port);
    const right = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, password });
    await right.connect();
    assert.equal(await right.ping(), 'PONG');
    await right.quit();
    const wrong = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, password: 'a"b' });
    wrong.on('error', () => undefined);
    await assert.rejects(wrong.connect(), /WRONGPASS|invalid username-password/);
  } finally {
    redis.child?.kill('SIGKILL');
  }
});
