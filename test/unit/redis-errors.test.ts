import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorReply, SocketTimeoutError } from 'redis';
import { classifyRedisError } from '../../cluster-image/src/store/redis-errors.ts';
import { ReplyTimeoutError } from '../../cluster-image/src/redis-connection.ts';

const kind = (e: unknown) => classifyRedisError(e).kind;

test('only failures to reach or use the leader\'s Redis are the leader\'s failures', () => {
  assert.equal(kind(new SocketTimeoutError(1000)), 'leader');
  assert.equal(kind(new ReplyTimeoutError('no reply within 1000 ms')), 'leader');
  assert.equal(kind(new Error('connect ECONNREFUSED 10.0.0.2:6379')), 'leader');
  for (const m of ['READONLY You can\'t write against a read only replica.', 'MASTERDOWN Link with MASTER is down', 'LOADING Redis is loading', 'HSNOEPOCH this redis serves no epoch', 'ERR Function not found']) {
    assert.equal(kind(new ErrorReply(m)), 'leader', m);
  }
});

test('reply errors caused by the request itself are its own problem, never the leader\'s', () => {
  for (const m of ['ERR invalid cursor', 'WRONGTYPE Operation against a key holding the wrong kind of value', 'ERR value is not an integer or out of range']) {
    assert.equal(kind(new ErrorReply(m)), 'request', m);
  }
});

test('fenced and stale-epoch refusals are told apart and carry the fence', () => {
  assert.deepEqual(classifyRedisError(new ErrorReply('HSFENCED 7')), { kind: 'fenced', floor: 7, message: 'HSFENCED 7' });
  assert.equal(kind(new ErrorReply('HSEPOCH this redis serves epoch 5, the request is for epoch 4')), 'epoch');
});

test('a full store (maxmemory, nothing to evict) is its own kind: the write was refused, the leader is fine', () => {
  assert.equal(kind(new ErrorReply("OOM command not allowed when used memory > 'maxmemory'.")), 'full');
});
