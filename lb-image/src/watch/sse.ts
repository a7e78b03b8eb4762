// Server-Sent Events (the WHATWG "text/event-stream" format), as the slaves send them: parsed into
// events, and written back out. Comments (": ...") are dropped; an event with only an id is kept:
// it moves the reader's Last-Event-ID.
import type { Readable } from 'node:stream';

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

export async function* parseSse(body: Readable): AsyncGenerator<SseEvent> {
  let buffer = '';
  body.setEncoding('utf8');
  for await (const chunk of body as AsyncIterable<string>) {
    buffer += chunk.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const ev: SseEvent = {};
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') ev.id = value;
        else if (field === 'event') ev.event = value;
        else if (field === 'data') ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
      }
      if (ev.id !== undefined || ev.data !== undefined) yield ev;
    }
  }
}

export function formatSse(ev: SseEvent): string {
  let out = '';
  if (ev.id !== undefined) out += `id: ${ev.id}\n`;
  if (ev.event !== undefined) out += `event: ${ev.event}\n`;
  if (ev.data !== undefined) for (const line of ev.data.split('\n')) out += `data: ${line}\n`;
  return `${out}\n`;
}
