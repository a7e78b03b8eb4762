// Small HTTP helpers for tests: every answer as {status, body (parsed JSON when it is JSON), headers}.
export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

export const put = (url: string, value: string | Buffer) => call(url, { method: 'PUT', body: value });
export const del = (url: string) => call(url, { method: 'DELETE' });
export const postJson = (url: string, json: unknown, headers: Record<string, string> = {}) =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(json) });

/** Polls /health every `everyMs` until stopped; collects every status seen (to prove /health never failed). */
export function watchHealth(lbUrl: string, everyMs = 50) {
  const statuses: (number | string)[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        statuses.push((await fetch(`${lbUrl}/health`, { signal: AbortSignal.timeout(2000) })).status);
      } catch (err) {
        statuses.push(String((err as Error).message));
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    statuses,
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}
