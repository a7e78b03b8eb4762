import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeCursor, encodeCursor, validateIdempotencyKey, validateIfVersion, validateFlag, validateIncrBy, validateKey, validateListQuery, validateTtl, validateValue, validateWait,
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

test('if_version: a version number or nothing; anything else is a 400 naming the parameter', () => {
  assert.equal(validateIfVersion(undefined), undefined);
  assert.equal(validateIfVersion(''), undefined);
  assert.equal(validateIfVersion('0'), 0);
  assert.equal(validateIfVersion(' 12 '), 12);
  assert.equal(validateIfVersion(7), 7);
  for (const bad of ['-1', '1.5', 'x', '99999999999999999', -1, 1.5, ['1', '2']]) {
    assert.throws(() => validateIfVersion(bad), (e: HttpError) => e.status === 400 && e.code === 'invalid_version', String(bad));
  }
});

test('by: a signed 64-bit integer as canonical text, 1 by default', () => {
  assert.equal(validateIncrBy(undefined), '1');
  assert.equal(validateIncrBy('+5'), '5');
  assert.equal(validateIncrBy('-0042'), '-42');
  assert.equal(validateIncrBy('9223372036854775807'), '9223372036854775807');
  assert.equal(validateIncrBy('-9223372036854775808'), '-9223372036854775808');
  assert.equal(validateIncrBy(-3), '-3');
  for (const bad of ['9223372036854775808', '-9223372036854775809', '1e3', '0x10', '1.0', 'one', 2 ** 60]) {
    assert.throws(() => validateIncrBy(bad), (e: HttpError) => e.status === 400 && e.code === 'invalid_increment', String(bad));
  }
});

test('a blocking read: wait_version, and a timeout above 0 and at most 60 s (30 by default)', () => {
  assert.equal(validateWait(undefined, undefined), undefined);
  assert.deepEqual(validateWait('3', undefined), { version: 3, timeoutMs: 30_000 });
  assert.deepEqual(validateWait('0', '0.5'), { version: 0, timeoutMs: 500 });
  assert.deepEqual(validateWait('1', '60'), { version: 1, timeoutMs: 60_000 });
  assert.throws(() => validateWait('1', '61'), /at most 60/);
  assert.throws(() => validateWait('1', '0'), /above 0/);
  assert.throws(() => validateWait(undefined, '5'), /goes with wait_version/);
  assert.throws(() => validateWait('-1', undefined), /wait_version must be/);
});

test('Idempotency-Key: 1 to 200 visible ASCII characters', () => {
  assert.equal(validateIdempotencyKey(undefined), undefined);
  assert.equal(validateIdempotencyKey('8e0f-4a1c'), '8e0f-4a1c');
  for (const bad of ['', 'has space', 'x'.repeat(201), 'é', ['a', 'b']]) {
    assert.throws(() => validateIdempotencyKey(bad), (e: HttpError) => e.code === 'invalid_idempotency_key', String(bad));
  }
});

test('a yes/no parameter: true, 1, false, 0 or absent', () => {
  assert.equal(validateFlag(undefined, 'versions'), false);
  assert.equal(validateFlag('true', 'versions'), true);
  assert.equal(validateFlag('1', 'versions'), true);
  assert.equal(validateFlag('0', 'versions'), false);
  assert.throws(() => validateFlag('yes', 'versions'), (e: HttpError) => e.status === 400 && /versions must be true or false/.test(e.message));
  assert.throws(() => validateFlag(['1', '1'], 'versions'), (e: HttpError) => e.status === 400);
});
