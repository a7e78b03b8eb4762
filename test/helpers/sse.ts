// Reads a Server-Sent Events stream (GET /watch) in the background: every event, as parsed, in order.
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
        const ev: TestEvent = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || line === '') continue;
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === 'id') ev.id = value;
          else if (field === 'event') ev.event = value;
          else if (field === 'data') ev.data = JSON.parse(value);
        }
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
