import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeCursor, encodeCursor, validateKey, validateListQuery, validateTtl, validateValue,
} from '../../common/src/kv-validation.ts';
import { HttpError } from '../../common/src/http-errors.ts';

const status = (fn: () => unknown) => {
  try {
    fn();
    return 0;
  } catch (e) {
    return e instanceof HttpError ? e.status : -1;
  }
};

test('keys: 1 to 512 bytes of UTF-8 without control characters', () => {
  assert.equal(validateKey('a'), 'a');
  assert.equal(validateKey('é'.repeat(256)), 'é'.repeat(256)); // 512 bytes
  assert.equal(status(() => validateKey('é'.repeat(256) + 'x')), 400);
  assert.equal(status(() => validateKey('x'.repeat(513))), 400);
  assert.equal(status(() => validateKey('')), 400);
  for (const bad of ['a\nb', 'a\tb', 'a\u0000', '\u007f', '\u0085']) assert.equal(status(() => validateKey(bad)), 400, JSON.stringify(bad));
});

test('values: strict UTF-8 and a size limit (413 above it)', () => {
  assert.equal(validateValue(Buffer.from('héllo'), 10), 'héllo');
  assert.equal(status(() => validateValue(Buffer.from([0xff, 0xfe]), 10)), 400);
  assert.equal(status(() => validateValue(Buffer.alloc(11), 10)), 413);
  assert.equal(status(() => validateValue('x'.repeat(11), 10)), 413);
  assert.equal(status(() => validateValue(42, 10)), 400);
});

test('ttl: whole seconds, positive, bounded', () => {
  assert.equal(validateTtl(undefined), undefined);
  assert.equal(validateTtl('60'), 60);
  assert.equal(validateTtl(60), 60);
  for (const bad of ['0', '-1', '1.5', 'abc', 1.5, '999999999999']) assert.equal(status(() => validateTtl(bad)), 400, String(bad));
});

test('listing query and cursors', () => {
  assert.deepEqual(validateListQuery({}), { prefix: '', after: '', limit: 100 });
  assert.equal(validateListQuery({ limit: '1000' }).limit, 1000);
  for (const q of [{ limit: '0' }, { limit: '1001' }, { limit: 'x' }, { cursor: 'garbage!' }, { prefix: ['a', 'b'] }]) {
    assert.equal(status(() => validateListQuery(q)), 400, JSON.stringify(q));
  }
});

test('a cursor is the last key of the previous page, validated in full before it reaches Redis', () => {
  for (const key of ['a', 'dir/sub file:ünïcødé ✓', 'é'.repeat(256)]) assert.equal(decodeCursor(encodeCursor(key), ''), key);
  assert.equal(validateListQuery({ prefix: 'user:', cursor: encodeCursor('user:42') }).after, 'user:42');
  const bad = [
    '99999999999999999999-0', // an old SCAN cursor
    'a+b/', // not base64url
    'YQ', 'YQ=', // padding variants: only the canonical form is accepted
    encodeCursor('x'.repeat(513)), // too long a key
    Buffer.from([0xff, 0xfe]).toString('base64url'), // not UTF-8
    encodeCursor('a\nb'), // a control character
    encodeCursor('other:1'), // a cursor of another prefix
  ];
  assert.equal(decodeCursor('YQ', ''), 'a');
  for (const c of bad.filter((c) => c !== 'YQ')) assert.equal(status(() => decodeCursor(c, 'user:')), 400, c);
});
