// The change stream's pieces that need no server: Server-Sent Events parsed and written back
// (lb-image/src/watch/sse.ts), and change ids compared (common/src/change-ids.ts).
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { formatSse, parseSse, type SseEvent } from '../../lb-image/src/watch/sse.ts';
import { idBefore, isChangeId } from '../../common/src/change-ids.ts';

async function parse(chunks: string[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const ev of parseSse(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(ev);
  return out;
}

test('events split anywhere across chunks are parsed whole; comments are dropped, id-only events kept', async () => {
  const text = ': hello\n\nid: 1-0\nevent: change\ndata: {"key":"a"}\n\n: keepalive\n\nid: 2-5\n\nid: 3-0\r\nevent: reset\r\ndata: x\r\ndata: y\r\n\r\n';
  const whole = await parse([text]);
  assert.deepEqual(whole, [
    { id: '1-0', event: 'change', data: '{"key":"a"}' },
    { id: '2-5' },
    { id: '3-0', event: 'reset', data: 'x\ny' },
  ]);
  for (let cut = 1; cut < text.length; cut += 7) assert.deepEqual(await parse([text.slice(0, cut), text.slice(cut)]), whole, `cut at ${cut}`);
});

test('formatSse writes what parseSse reads', async () => {
  const events: SseEvent[] = [{ id: '9-1', event: 'change', data: '{"a":1}' }, { id: '10-0' }, { event: 'error', data: 'line1\nline2' }];
  assert.deepEqual(await parse([events.map(formatSse).join('')]), events);
});

test('change ids compare by milliseconds, then sequence', () => {
  assert.equal(idBefore('1-9', '2-0'), true);
  assert.equal(idBefore('2-0', '1-9'), false);
  assert.equal(idBefore('5-2', '5-10'), true, 'numerically, not as text');
  assert.equal(idBefore('5-2', '5-2'), false);
  assert.equal(idBefore('0-0', '1700000000000-0'), true);
  assert.equal(isChangeId('1700000000000-3'), true);
  for (const bad of ['', '1', '1-', 'a-1', '1-1-1', '-1-0', '1-12345678901234567890']) assert.equal(isChangeId(bad), false, bad);
});
