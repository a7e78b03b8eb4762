import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdvertisedAddress, plainAddress } from '../../cluster-image/src/advertised-address.ts';

test('advertised address: ADVERTISE_ADDRESS wins over anything observed', () => {
  const a = new AdvertisedAddress('192.0.2.7', () => '10.9.9.9');
  a.observe('10.0.1.5');
  assert.equal(a.host, '192.0.2.7');
});

test('advertised address: a guess until the LB is heard, then the address it reached us at, following changes', () => {
  const a = new AdvertisedAddress('', () => '172.18.0.9');
  assert.equal(a.host, '172.18.0.9');
  a.observe('::ffff:10.0.1.5');
  assert.equal(a.host, '10.0.1.5');
  a.observe(undefined); // a socket already closed: keep what we know
  assert.equal(a.host, '10.0.1.5');
  a.observe('10.0.2.8'); // disconnected and connected again: a new address
  assert.equal(a.host, '10.0.2.8');
  for (const local of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '169.254.1.1', 'fe80::1', '0.0.0.0']) a.observe(local); // curl in the container, port-forwards
  assert.equal(a.host, '10.0.2.8');
});

test('plainAddress strips the IPv4-mapped prefix only', () => {
  assert.equal(plainAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(plainAddress('fd00::1'), 'fd00::1');
});
