import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FenceBook } from '../../lb-image/src/routing/fence-book.ts';

test('a write given up raises its writer\'s generation and leaves a fence to raise', () => {
  const b = new FenceBook();
  assert.equal(b.generationOf('s1', 3), 1);
  assert.equal(b.settled, true);
  assert.equal(b.abandon('s1', 3, 1), true);
  assert.equal(b.generationOf('s1', 3), 2, 'later writes of s1 use the new generation');
  assert.equal(b.generationOf('s2', 3), 1, 'other writers are not affected');
  assert.deepEqual(b.pendingRaises(), [{ epoch: 3, writer: 's1', generation: 2 }]);
  assert.equal(b.settled, false);
  b.raised('s1', 3, 2);
  assert.equal(b.settled, true);
});

test('an answer waits only for the writes given up before it arrived', () => {
  const b = new FenceBook();
  b.abandon('s1', 3, 1);
  const upTo = b.lastSeq;
  b.abandon('s2', 3, 1); // given up later
  assert.equal(b.settledUpTo(upTo), false);
  b.raised('s1', 3, 2);
  assert.equal(b.settledUpTo(upTo), true, 's2 is not this answer\'s concern');
  assert.equal(b.settled, false);
});

test('two writes of one writer given up: one fence above both; a late confirmation of a lower one does not settle it', () => {
  const b = new FenceBook();
  b.abandon('s1', 3, 1);
  b.abandon('s1', 3, 2);
  assert.deepEqual(b.pendingRaises(), [{ epoch: 3, writer: 's1', generation: 3 }]);
  b.raised('s1', 3, 2);
  assert.equal(b.settled, false);
  b.raised('s1', 3, 3);
  assert.equal(b.settled, true);
});

test('a new epoch fences everything older: generations and pending fences start afresh', () => {
  const b = new FenceBook();
  b.abandon('s1', 3, 1);
  b.enterEpoch(4);
  assert.equal(b.settled, true);
  assert.equal(b.generationOf('s1', 4), 1);
  assert.equal(b.abandon('s1', 3, 1), false, 'a write of epoch 3 is fenced by epoch 4 already');
  assert.equal(b.settled, true);
});

test('a floor learnt from the leader moves the writer forward, never back', () => {
  const b = new FenceBook();
  b.generationOf('s1', 5);
  b.learnFloor('s1', 5, 7);
  assert.equal(b.generationOf('s1', 5), 7);
  b.learnFloor('s1', 5, 4);
  assert.equal(b.generationOf('s1', 5), 7);
});
