// A follower's Redis re-connects to its leader's address by itself, and the address may pass to
// another container (Docker reuses IPs): one whose Redis is still a master of an older epoch (a
// former leader, cut off during the election that replaced it). Its data must never be copied: a
// leader's Redis accepts replication only with its epoch's password, and a follower offers only
// its own epoch's. Real Redis servers, driven through the slave's own LocalRedis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../common/src/logger.ts';
import { LocalRedis } from '../../cluster-image/src/local-redis.ts';
import { replicationPassword } from '../../cluster-image/src/replication-password.ts';
import { CONTROL_PASSWORD, freePort, Harness, PASSWORD, redisClient, waitForPort } from '../helpers/processes.ts';

async function startRedis(h: Harness) {
  const port = await freePort();
  h.redisProc(port).start();
  await waitForPort(port);
  // The slave's own connection (the control user), and the replication passwords it derives.
  const local = new LocalRedis({ host: '127.0.0.1', port }, { host: '127.0.0.1' }, CONTROL_PASSWORD, (epoch) => replicationPassword(PASSWORD, epoch), 2000, createLogger('test', 'error'));
  return { port, local };
}

async function info(port: number, section: string): Promise<string> {
  const c = await redisClient(port);
  try {
    return String(await c.sendCommand(['INFO', section]));
  } finally {
    await c.close();
  }
}

/** How many logins as the repl user this Redis refused (its ACL LOG: entry counts per reason and user). */
async function refusedReplLogins(port: number): Promise<number> {
  const c = await redisClient(port);
  try {
    const entries = (await c.sendCommand(['ACL', 'LOG'])) as { reason?: string; username?: string; count?: number }[];
    return entries.filter((e) => e.reason === 'auth' && e.username === 'repl').reduce((n, e) => n + Number(e.count), 0);
  } finally {
    await c.close();
  }
}
const field = (text: string, name: string) => new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(text)?.[1];

test("a follower of epoch 6 does not copy a Redis that leads epoch 5 at its leader's address; one of epoch 5 does", async (t) => {
  const h = new Harness();
  const clients: { close(): Promise<unknown> }[] = [];
  // Clients first, then the servers (a client whose server is gone reports an error).
  t.after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await h.stopAll();
  });
  const former = await startRedis(h);
  const follower = await startRedis(h);
  clients.push(former.local, follower.local);
  await h.waitFor(async () => (await former.local.inspect()) !== null && (await follower.local.inspect()) !== null, 10_000, 'both Redis servers');

  // The former leader: promoted at epoch 5, with data of its own.
  await former.local.promote(5, false);
  const writer = await redisClient(former.port);
  await writer.set('written-in-epoch-5', 'old data');
  await writer.close();

  // A follower of epoch 6 pointed at its address: refused at login, again and again; nothing copied.
  await follower.local.follow({ host: '127.0.0.1', port: former.port }, 6);
  await h.waitFor(async () => (await refusedReplLogins(former.port)) >= 2, 15_000, 'two refused replication logins');
  const replication = await info(follower.port, 'replication');
  assert.equal(field(replication, 'master_link_status'), 'down', replication);
  const reader = await redisClient(follower.port);
  clients.push(reader);
  assert.equal(await reader.get('written-in-epoch-5'), null, 'nothing was copied');

  // The same follower, told epoch 5: it replicates (the password is the only difference).
  await follower.local.follow({ host: '127.0.0.1', port: former.port }, 5);
  await h.waitFor(async () => (await reader.get('written-in-epoch-5')) === 'old data', 15_000, 'the data of epoch 5 replicated');
});
