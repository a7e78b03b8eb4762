// Reads a Server-Sent Events stream (GET /watch) in the background: every event, as parsed, in order.
import { parseSse } from './openapi-check.ts';

export interface TestEvent {
  id?: string;
  event?: string;
  data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function openWatch(url: string, headers: Record<string, string> = {}) {
  const events: TestEvent[] = [];
  const ac = new AbortController();
  let status = 0;
  const done = (async () => {
    const res = await fetch(url, { headers, signal: ac.signal });
    status = res.status;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const f = parseSse(block);
        const ev: TestEvent = { ...(f.id !== undefined ? { id: f.id } : {}), ...(f.event !== undefined ? { event: f.event } : {}), ...(f.data !== undefined ? { data: JSON.parse(f.data) } : {}) };
        if (ev.id !== undefined || ev.data !== undefined) events.push(ev);
      }
    }
  })().catch((err: Error) => {
    if (err.name !== 'AbortError') throw err;
  });
  return {
    events,
    get status() {
      return status;
    },
    changes: () => events.filter((e) => e.event === 'change').map((e) => e.data as { key: string; version: number; value?: string; deleted?: boolean }),
    /** The id of the last event that carried one (what EventSource sends as Last-Event-ID). */
    lastId: () => [...events].reverse().find((e) => e.id !== undefined)?.id,
    close: async () => {
      ac.abort();
      await done;
    },
  };
}
