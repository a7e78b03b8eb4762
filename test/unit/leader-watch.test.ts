import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaderWatch } from '../../lb-image/src/election/leader-watch.ts';

test('silent probes count only when nothing proved the leader alive since they were sent', () => {
  const w = new LeaderWatch(3);
  w.reset(0);
  w.alive(100); // a key-value request was served at 100
  w.failure(50, false); // a probe sent before that: says nothing
  w.failure(90, false);
  assert.equal(w.consecutiveFailures, 0);
  w.failure(110, false);
  w.failure(120, false);
  assert.equal(w.failed, false);
  w.failure(130, false);
  assert.equal(w.failed, true, 'three probes sent after the last sign of life, all silent');
});

test('a sign of life resets the count', () => {
  const w = new LeaderWatch(3);
  w.reset(0);
  w.failure(10, false);
  w.failure(20, false);
  assert.equal(w.suspect, true);
  w.alive(25);
  assert.equal(w.suspect, false);
  w.failure(30, false);
  assert.equal(w.consecutiveFailures, 1);
});

test('an answer saying the leader does not work always counts, even right after a sign of life', () => {
  const w = new LeaderWatch(2);
  w.reset(0);
  w.alive(1000);
  w.failure(500, true);
  w.failure(600, true);
  assert.equal(w.failed, true);
});

test('under load, real traffic keeps a slow leader alive: probes time out but the leader is never failed', () => {
  const w = new LeaderWatch(3);
  w.reset(0);
  for (let t = 0; t < 10_000; t += 100) {
    w.alive(t + 40); // requests keep being served
    if (t % 300 === 0) w.failure(t, false); // every third probe is too slow
  }
  assert.equal(w.failed, false);
});
