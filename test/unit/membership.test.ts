import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MembershipTable } from '../../lb-image/src/membership/membership.ts';

const ep = (address: string, port = 3000) => ({ address, port });

test('DNS answers add and remove members; every A record counts', () => {
  const t = new MembershipTable(3);
  assert.deepEqual(t.replaceSource('dns', [ep('10.0.0.2'), ep('10.0.0.3'), ep('10.0.0.4')]), { added: ['10.0.0.2:3000', '10.0.0.3:3000', '10.0.0.4:3000'], removed: [] });
  assert.deepEqual(t.replaceSource('dns', [ep('10.0.0.3'), ep('10.0.0.5')]), { added: ['10.0.0.5:3000'], removed: ['10.0.0.2:3000', '10.0.0.4:3000'] });
  assert.deepEqual(t.list().map((m) => m.id), ['10.0.0.3:3000', '10.0.0.5:3000']);
});

test('a member known from two sources stays until both drop it', () => {
  const t = new MembershipTable(3);
  t.replaceSource('static', [ep('a', 1)]);
  t.replaceSource('dns', [ep('a', 1)]);
  assert.equal(MembershipTable.displaySource(t.get('a:1')!), 'static');
  t.replaceSource('static', []);
  assert.ok(t.get('a:1'));
  assert.equal(MembershipTable.displaySource(t.get('a:1')!), 'dns');
  assert.deepEqual(t.replaceSource('dns', []).removed, ['a:1']);
});

test('sign-ups lapse only when not renewed and failing probes', () => {
  const t = new MembershipTable(2);
  assert.equal(t.register(ep('h', 9), 1000, 500), true);
  assert.equal(t.register(ep('h', 9), 1200, 500), false); // renewal
  t.recordSuccess('h:9');
  assert.deepEqual(t.expireRegistrations(2000), [], 'healthy: kept although the registration lapsed');
  t.recordFailure('h:9');
  t.recordFailure('h:9');
  assert.deepEqual(t.expireRegistrations(1600), [], 'registration still valid');
  assert.deepEqual(t.expireRegistrations(2000), ['h:9']);
  assert.equal(t.get('h:9'), undefined);
});

test('health follows consecutive failures and any success resets them', () => {
  const t = new MembershipTable(3);
  t.replaceSource('static', [ep('a', 1)]);
  const m = t.get('a:1')!;
  assert.equal(m.healthy, false, 'not healthy before the first successful probe');
  t.recordSuccess('a:1');
  t.recordFailure('a:1');
  t.recordFailure('a:1');
  assert.equal(m.healthy, true);
  t.recordFailure('a:1');
  assert.equal(m.healthy, false);
  t.recordSuccess('a:1');
  assert.equal(m.healthy, true);
  assert.equal(m.failures, 0);
});
