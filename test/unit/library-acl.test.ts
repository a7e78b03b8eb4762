// ACL rules apply inside Redis functions: every command the library runs must be granted to the
// app user (cluster-image/redis-auth-conf.sh), or the function fails with "can't run this command".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LIBRARY } from '../../cluster-image/src/store/library.ts';
import { ROOT } from '../helpers/processes.ts';

test('every command the function library calls is granted to the app user', () => {
  const used = new Set([...LIBRARY.matchAll(/redis\.p?call\('([A-Z]+)'/g)].map((m) => m[1]!.toLowerCase()));
  const script = readFileSync(path.join(ROOT, 'cluster-image/redis-auth-conf.sh'), 'utf8');
  const granted = new Set(/^data='([^']*)'/m.exec(script)![1]!.split(' ').map((c) => c.replace(/^\+/, '')));
  assert.ok(used.size > 10, 'the library was read');
  assert.deepEqual([...used].filter((c) => !granted.has(c)), []);
});
