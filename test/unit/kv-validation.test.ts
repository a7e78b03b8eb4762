import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeCursor, encodeCursor, scanPatternForPrefix, validateKey, validateListQuery, validateTtl, validateValue,
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
  assert.deepEqual(validateListQuery({}), { prefix: '', cursor: { scan: '0', skip: 0 }, limit: 100 });
  assert.equal(validateListQuery({ limit: '1000' }).limit, 1000);
  for (const q of [{ limit: '0' }, { limit: '1001' }, { limit: 'x' }, { cursor: 'garbage' }, { prefix: ['a', 'b'] }]) {
    assert.equal(status(() => validateListQuery(q)), 400, JSON.stringify(q));
  }
  const c = { scan: '12345', skip: 7 };
  assert.deepEqual(decodeCursor(encodeCursor(c)), c);
});

test('a listing prefix matches literally, even with glob characters', () => {
  assert.equal(scanPatternForPrefix('a*b?[c]\\'), 'a\\*b\\?\\[c\\]\\\\*');
});
