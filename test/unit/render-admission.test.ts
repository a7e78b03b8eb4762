import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RenderAdmission } from '../../lb-image/src/render/admission.ts';

test('renders beyond the count or the pixel budget are refused until others finish', () => {
  const a = new RenderAdmission({ maxRenders: 2, maxPixels: 1000 });
  const first = a.tryAdmit(600);
  assert.ok(first);
  assert.equal(a.tryAdmit(500), null, '600 + 500 pixels is over the budget');
  const second = a.tryAdmit(400);
  assert.ok(second);
  assert.equal(a.tryAdmit(1), null, 'two renders already');
  first();
  first(); // releasing twice counts once
  assert.deepEqual(a.inProgress, { renders: 1, pixels: 400 });
  assert.ok(a.tryAdmit(600));
});

test('a render larger than the whole budget still runs when nothing else does', () => {
  const a = new RenderAdmission({ maxRenders: 4, maxPixels: 100 });
  const big = a.tryAdmit(5000);
  assert.ok(big);
  assert.equal(a.tryAdmit(1), null);
  big();
  assert.ok(a.tryAdmit(1));
});
