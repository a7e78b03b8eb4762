import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission } from '../../lb-image/src/admission.ts';

test('renders beyond the count or the pixel budget are refused until others finish', () => {
  const a = new Admission({ maxJobs: 2, maxWeight: 1000 });
  const first = a.tryAdmit(600);
  assert.ok(first);
  assert.equal(a.tryAdmit(500), null, '600 + 500 pixels is over the budget');
  const second = a.tryAdmit(400);
  assert.ok(second);
  assert.equal(a.tryAdmit(1), null, 'two renders already');
  first();
  first(); // releasing twice counts once
  assert.deepEqual(a.inProgress, { jobs: 1, weight: 400 });
  assert.ok(a.tryAdmit(600));
});

test('a render larger than the whole budget still runs when nothing else does', () => {
  const a = new Admission({ maxJobs: 4, maxWeight: 100 });
  const big = a.tryAdmit(5000);
  assert.ok(big);
  assert.equal(a.tryAdmit(1), null);
  big();
  assert.ok(a.tryAdmit(1));
});
