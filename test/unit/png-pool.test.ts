// The LB's PNG encoder pool: a thread that crashes fails only its own image, and the next image
// gets a working thread (before, the crashed one was handed out again and every later render hung).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { PngEncoderPool } from '../../lb-image/src/render/png.ts';

// A stand-in encoder thread: width 13 crashes it (an uncaught error), width 14 makes it exit;
// any other width answers with that many bytes.
const FAKE_ENCODER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => {
  if (job.width === 13) throw new Error('encoder crashed');
  if (job.width === 14) process.exit(3);
  if (job.width === 15) setTimeout(() => process.exit(0), 10); // answers, then dies while idle
  parentPort.postMessage({ id: job.id, png: new Uint8Array(job.width) });
});`;

/** `p`, or a clear failure after `ms` (the pool's threads do not keep the process alive: this timer does). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('a crashed or exited encoder thread fails its image and is replaced, so later images still encode', async () => {
  let started = 0;
  const pool = new PngEncoderPool(1, () => (started++, new Worker(FAKE_ENCODER, { eval: true })));
  try {
    assert.equal((await within(pool.encode(new Uint8Array(4), 4, 1), 5000, 'first image')).length, 4);
    await assert.rejects(within(pool.encode(new Uint8Array(4), 13, 1), 5000, 'crashing image'), /encoder crashed/);
    assert.equal((await within(pool.encode(new Uint8Array(4), 5, 1), 5000, 'image after a crash')).length, 5);
    await assert.rejects(within(pool.encode(new Uint8Array(4), 14, 1), 5000, 'exiting image'), /exited \(code 3\)/);
    // Several images waiting for the one thread while it crashes: each still gets an answer.
    const results = await within(Promise.allSettled([13, 6, 7].map((w) => pool.encode(new Uint8Array(4), w, 1))), 5000, 'queued images');
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled']);
    assert.equal(started, 4, 'one thread at first and one per crash or exit');
  } finally {
    await pool.close();
  }
});

test('an idle encoder thread that dies is not handed to the next image', async () => {
  const threads: Worker[] = [];
  const pool = new PngEncoderPool(1, () => {
    const w = new Worker(FAKE_ENCODER, { eval: true });
    threads.push(w);
    return w;
  });
  try {
    const first = threads.length;
    assert.equal((await within(pool.encode(new Uint8Array(4), 15, 1), 5000, 'image before the thread dies')).length, 15);
    const dying = threads[first]!;
    await within(new Promise((resolve) => (dying.threadId === -1 ? resolve(null) : dying.once('exit', resolve))), 5000, 'the idle thread exiting');
    assert.equal((await within(pool.encode(new Uint8Array(4), 6, 1), 5000, 'image after the idle thread died')).length, 6);
    assert.equal(threads.length, 2, 'a new thread replaced the dead one');
  } finally {
    await pool.close();
  }
});
