// A removed member's keep-alive pool is closed: its pooled socket is never reused for whatever
// gets that address next (Docker reuses IP addresses).
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { test } from 'node:test';
import { createLogger } from '../../common/src/logger.ts';
import { ClusterView } from '../../lb-image/src/cluster-view.ts';
import { sleep } from '../helpers/processes.ts';

test('removing a member closes its pooled connections; a member that returns gets a new pool', async (t) => {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = http.createServer((_req, res) => res.end('{}'));
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const id = `127.0.0.1:${port}`;
  const view = new ClusterView({ failureThreshold: 3, probeTimeoutMs: 300, clusterSecret: '' }, createLogger('test', 'error'));
  t.after(() => view.pools.closeAll());

  view.replaceSource('static', [{ address: '127.0.0.1', port }]);
  for (let i = 0; i < 10; i++) await view.send(view.table.get(id)!, { method: 'GET', path: '/', timeoutMs: 1000 });
  // undici may open a second socket for a request sent the moment the first one ends; then it reuses them.
  assert.ok(connections <= 2, `keep-alive: ${connections} connections for 10 requests`);
  const before = connections;
  assert.ok(sockets.size > 0);

  view.replaceSource('static', []);
  assert.equal(view.pools.has(id), false);
  for (let i = 0; i < 500 && sockets.size > 0; i++) await sleep(10); // closing is asynchronous: up to 5 s
  assert.equal(sockets.size, 0, 'the pooled socket was closed');

  view.replaceSource('static', [{ address: '127.0.0.1', port }]);
  await view.send(view.table.get(id)!, { method: 'GET', path: '/', timeoutMs: 1000 });
  assert.equal(connections, before + 1, 'a fresh connection, not an old one');
});
