// "Authorization: Bearer <secret>" as RFC 9110 reads it: the scheme in any case, then one or more spaces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasBearer } from '../../common/src/bearer-auth.ts';

test('the scheme is case-insensitive; the secret is not', () => {
  for (const header of ['Bearer s3cret', 'bearer s3cret', 'BEARER s3cret', 'Bearer   s3cret']) assert.equal(hasBearer(header, 's3cret'), true, header);
  for (const header of ['Bearer S3CRET', 'Bearer s3cre', 'Bearers3cret', 'Basic s3cret', 'Bearer ', '', undefined]) assert.equal(hasBearer(header, 's3cret'), false, String(header));
  assert.equal(hasBearer(undefined, ''), true, 'no secret set: no check');
});
