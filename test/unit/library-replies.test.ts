// The parsers of the library's replies (cluster-image/src/store/replies.ts): the shapes the Lua
// returns are accepted, anything else is an UnexpectedReply naming the function, not a misread value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChanges, parseListing, parseOutcome, parseStored, parseStoredMany, parseSweep, UnexpectedReply } from '../../cluster-image/src/store/replies.ts';

test('reads: a value with its TTL (-1 = none) and version, or nil', () => {
  assert.deepEqual(parseStored(['v', -1, 3]), { value: 'v', ttl: null, version: 3 });
  assert.deepEqual(parseStoredMany([['a', 60, 1], null]), [{ value: 'a', ttl: 60, version: 1 }, null]);
  assert.equal(parseStored(null), null);
  assert.throws(() => parseStored(['v', '-1', 3]), UnexpectedReply);
  assert.throws(() => parseStored('v'), /hs_get_v2/);
});

test('writes: applied, deleted, and each refusal code; an unknown code is an error', () => {
  assert.deepEqual(parseOutcome('set', [1, 4, 'x']), { kind: 'applied', version: 4, value: 'x' });
  assert.deepEqual(parseOutcome('del', [0, 0]), { kind: 'deleted', deleted: false });
  assert.deepEqual(parseOutcome('set', [-1, 7]), { kind: 'version_mismatch', version: 7 });
  assert.deepEqual(parseOutcome('incr', [-2, 1]), { kind: 'not_an_integer', version: 1 });
  assert.deepEqual(parseOutcome('incr', [-3, 1]), { kind: 'overflow', version: 1 });
  assert.throws(() => parseOutcome('set', [-9, 1]), UnexpectedReply);
  assert.throws(() => parseOutcome('set', 'OK'), /hs_write_v3/);
});

test('listings: keys then next, and with versions one version per key', () => {
  assert.deepEqual(parseListing(['a', 'b', ''], false), { keys: ['a', 'b'], next: '' });
  assert.deepEqual(parseListing(['a', 'b', 'b', 2, 5], true), { keys: ['a', 'b'], next: 'b', versions: [2, 5] });
  assert.throws(() => parseListing(['a', 'b', '', 2], true), UnexpectedReply);
  assert.throws(() => parseListing([], false), UnexpectedReply);
});

test('changes: status, position and entries as log_change writes them', () => {
  const page = parseChanges(['ok', '5-0', [['4-0', ['k', 'a', 'v', '2', 'd', 'x']], ['5-0', ['k', 'b', 'v', '0', 'x', 'expired']], ['5-1', ['k', 'c', 'v', '9', 'o', '1']]]]);
  assert.deepEqual(page, {
    complete: true,
    position: '5-0',
    changes: [
      { id: '4-0', key: 'a', version: 2, value: 'x' },
      { id: '5-0', key: 'b', version: 0, gone: 'expired' },
      { id: '5-1', key: 'c', version: 9, valueOmitted: true },
    ],
  });
  assert.equal(parseChanges(['reset', '9-0', []]).complete, false);
  assert.throws(() => parseChanges(['maybe', '9-0', []]), /hs_changes/);
});

test('sweep: counts and whether the scan finished', () => {
  assert.deepEqual(parseSweep([3, 1]), { expired: 3, scanDone: true });
  assert.throws(() => parseSweep([3]), UnexpectedReply);
});
