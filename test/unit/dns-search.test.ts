import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidateNames, parseResolvConf } from '../../lb-image/src/dns-search.ts';

// What a Kubernetes pod in namespace hscale gets.
const POD = `search hscale.svc.cluster.local svc.cluster.local cluster.local
nameserver 10.96.0.10
options ndots:5`;

test('a pod\'s resolv.conf: its search domains and ndots', () => {
  assert.deepEqual(parseResolvConf(POD), { search: ['hscale.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
  assert.deepEqual(parseResolvConf('nameserver 127.0.0.11\noptions ndots:0'), { search: [], ndots: 0 });
  assert.deepEqual(parseResolvConf('domain example.org.\n# search ignored.example\nsearch a.example b.example ; comment'), { search: ['a.example', 'b.example'], ndots: 1 });
  assert.deepEqual(parseResolvConf(''), { search: [], ndots: 1 });
});

test('a short name is tried under each search domain first, as getaddrinfo does', () => {
  const conf = parseResolvConf(POD);
  assert.deepEqual(candidateNames('cluster', conf), ['cluster.hscale.svc.cluster.local', 'cluster.svc.cluster.local', 'cluster.cluster.local', 'cluster']);
  assert.deepEqual(candidateNames('tasks.cluster', { search: [], ndots: 1 }), ['tasks.cluster']);
  // Fewer dots than ndots (4 < 5, Kubernetes' famous default): still the search domains first.
  assert.deepEqual(candidateNames('cluster.hscale.svc.cluster.local', conf).at(-1), 'cluster.hscale.svc.cluster.local');
  // Enough dots: as it is first; a trailing dot: only as it is.
  assert.deepEqual(candidateNames('a.b.c.d.e.f', conf).slice(0, 2), ['a.b.c.d.e.f', 'a.b.c.d.e.f.hscale.svc.cluster.local']);
  assert.deepEqual(candidateNames('cluster.hscale.svc.cluster.local.', conf), ['cluster.hscale.svc.cluster.local']);
  // Docker's embedded DNS (compose): no search domains, the name as it is.
  assert.deepEqual(candidateNames('cluster', { search: [], ndots: 0 }), ['cluster']);
});
