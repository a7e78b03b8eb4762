#!/usr/bin/env node
// hscale: command-line client of the LB. Renders the Mandelbrot set to a PNG file (the seed
// client asked with a width and an escape limit) and talks to the key-value cache.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const USAGE = `Usage: hscale [--lb URL[,URL...]] <command> [options]

Commands:
  render [-w WIDTH] [-e ESCAPE] [--height H] [-o FILE]   render the Mandelbrot set through the LB to a PNG
  get KEY                                                print the value of KEY (its version on stderr)
  set KEY VALUE [--ttl SECONDS]                          store VALUE under KEY
  cas KEY VERSION VALUE [--ttl SECONDS]                  store VALUE only if KEY is at VERSION (0 = absent);
                                                         otherwise exit 3 and say its version
  incr KEY [BY]                                          add BY (default 1, may be negative) to the integer
                                                         under KEY (absent = 0); print the new value
  del KEY                                                delete KEY
  watch [--prefix P]                                     print every change under P as a JSON line, as it
                                                         happens, until interrupted (moves to the next LB
                                                         and resumes where it was when one fails)
  list [--prefix P] [--limit N]                          list keys (all pages)
  batch < ops.jsonl                                      run operations from standard input, one JSON per line:
                                                         {"op":"get"|"set"|"del"|"incr","key":K,"value"?:V,
                                                         "ttl"?:S,"if_version"?:N,"by"?:"N"};
                                                         prints one result per line, in order
  servers                                                the clusters the LB knows
  lbs                                                    the LBs the clusters have heard from

Options:
  --lb URLS    the load balancers, comma-separated: the first that answers serves, the next one
               is tried when one does not (default: $HSCALE_LB, else $HSCALE_LB_URL, else
               http://127.0.0.1:8080)
  -h, --help   this text

Examples:
  hscale render -w 2000 -e 1000 -o mandelbrot.png
  hscale set greeting hello --ttl 60 && hscale get greeting
  hscale incr visits && hscale watch --prefix visits
`;

class UsageError extends Error {}

/** An answer that says no (4xx/5xx), with the LB's explanation. */
class RefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The LBs to use, in order; the one that last answered goes first. */
let lbs: string[] = [];

/** Sends `path` to the first LB that answers, moving to the next when one cannot be reached. */
async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response | undefined;
  const failures: string[] = [];
  for (const lb of [...lbs]) {
    try {
      res = await fetch(`${lb}${path}`, init);
      lbs = [lb, ...lbs.filter((x) => x !== lb)];
      break;
    } catch (err) {
      failures.push(`${lb}: ${(err as Error).cause ?? (err as Error).message}`);
    }
  }
  if (!res) throw new Error(`cannot reach any LB (${failures.join('; ')})`);
  if (!res.ok) {
    const body = await res.text();
    let message = body;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
      message = typeof parsed.message === 'string' ? parsed.message : body;
    } catch {
      // not JSON: print as is
    }
    throw new RefusedError(res.status, `${res.status} ${res.statusText}: ${message}`, parsed);
  }
  return res;
}

async function render(opts: { width?: string; escape?: string; height?: string; output?: string }): Promise<void> {
  const q = new URLSearchParams();
  if (opts.width) q.set('width', opts.width);
  if (opts.height) q.set('height', opts.height);
  if (opts.escape) q.set('escape', opts.escape);
  const file = path.resolve(opts.output ?? `mandelbrot-${opts.width ?? 800}x${opts.escape ?? 1000}.png`);
  const started = Date.now();
  const tty = process.stderr.isTTY;
  const show = (text: string) => (tty ? process.stderr.write(`\r\x1b[K${text}`) : undefined);
  const ticker = setInterval(() => show(`rendering on the clusters… ${((Date.now() - started) / 1000).toFixed(1)} s`), 200);
  let png: Buffer;
  try {
    const res = await request(`/mandelbrot.png?${q}`);
    clearInterval(ticker);
    const total = Number(res.headers.get('content-length') ?? 0);
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(Buffer.from(chunk));
      received += chunk.length;
      show(`downloading ${(received / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`);
    }
    png = Buffer.concat(chunks);
  } finally {
    clearInterval(ticker);
    if (tty) process.stderr.write('\r\x1b[K');
  }
  await writeFile(file, png);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  console.log(`saved ${width}x${height} PNG (${(png.length / 1e6).toFixed(2)} MB) to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Prints every change under `prefix` as a JSON line until interrupted. When the stream breaks (an
 * LB failed), it goes on through the next LB from the last event it printed (Last-Event-ID).
 */
async function watch(prefix: string): Promise<void> {
  let lastId = '';
  for (let failures = 0; ; ) {
    const lb = lbs[failures % lbs.length]!;
    try {
      const res = await fetch(`${lb}/watch?${new URLSearchParams(prefix ? { prefix } : {})}`, { headers: lastId ? { 'last-event-id': lastId } : {} });
      if (!res.ok) throw new RefusedError(res.status, `${res.status} ${res.statusText}: ${await res.text()}`, {});
      failures = 0;
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += Buffer.from(chunk).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const fields = new Map(buffer.slice(0, end).split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          buffer = buffer.slice(end + 2);
          if (fields.has('id')) lastId = fields.get('id')!;
          if (fields.get('event') === 'change') console.log(fields.get('data'));
          if (fields.get('event') === 'reset') console.error('hscale: changes were missed (no longer kept): list the keys again');
        }
      }
    } catch (err) {
      if (err instanceof RefusedError && err.status < 500) throw err;
      console.error(`hscale: the watch through ${lb} broke (${(err as Error).message}); resuming through ${lbs[(failures + 1) % lbs.length]}`);
    }
    failures++;
    await new Promise((r) => setTimeout(r, Math.min(5000, 250 * failures)));
  }
}

/** Reads JSON lines from standard input and sends them to POST /batch, 1,000 at a time. */
async function batch(): Promise<void> {
  const lines: unknown[] = [];
  const flush = async () => {
    if (lines.length === 0) return;
    const res = await request(`/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ops: lines.splice(0) }) });
    for (const r of ((await res.json()) as { results: unknown[] }).results) console.log(JSON.stringify(r));
  };
  let n = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      throw new UsageError(`line ${n} of the input is not JSON: ${line.slice(0, 80)}`);
    }
    if (lines.length === 1000) await flush();
  }
  await flush();
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lb: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      width: { type: 'string', short: 'w' },
      height: { type: 'string' },
      escape: { type: 'string', short: 'e' },
      output: { type: 'string', short: 'o' },
      ttl: { type: 'string' },
      prefix: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return;
  }
  lbs = (values.lb ?? process.env.HSCALE_LB ?? process.env.HSCALE_LB_URL ?? 'http://127.0.0.1:8080')
    .split(',')
    .map((u) => u.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  if (lbs.length === 0) throw new UsageError('--lb needs at least one URL');
  // Writes carry an Idempotency-Key: when an LB fails mid-request and the next one is asked, the
  // write still happens once.
  const once = () => ({ 'idempotency-key': randomUUID() });
  const key = () => {
    if (!args[0]) throw new UsageError(`${command} needs a KEY`);
    return encodeURIComponent(args[0]);
  };
  switch (command) {
    case 'render':
      return render(values);
    case 'get': {
      const body = (await (await request(`/keys/${key()}`)).json()) as { value: string; ttl: number | null; version: number };
      console.log(body.value);
      console.error(`(version ${body.version}${body.ttl !== null ? `, expires in ${body.ttl} s` : ''})`);
      return;
    }
    case 'set':
    case 'cas': {
      const [, version, value] = command === 'cas' ? args : [args[0], undefined, args[1]];
      if (value === undefined) throw new UsageError(command === 'cas' ? 'cas needs a KEY, a VERSION and a VALUE' : 'set needs a KEY and a VALUE');
      const q = new URLSearchParams({ ...(values.ttl ? { ttl: values.ttl } : {}), ...(version !== undefined ? { if_version: version } : {}) });
      try {
        const body = (await (await request(`/keys/${key()}${q.size ? `?${q}` : ''}`, { method: 'PUT', body: value, headers: once() })).json()) as { durability: string; version: number };
        console.log(`stored as version ${body.version} (held by ${body.durability === 'replica' ? 'a majority of the clusters' : 'the leader only'})`);
      } catch (err) {
        if (!(err instanceof RefusedError) || err.status !== 412) throw err;
        console.error(`hscale: not stored: ${args[0]} is at version ${String(err.body.version)}, not ${version}`);
        process.exit(3);
      }
      return;
    }
    case 'incr': {
      const by = args[1] === undefined ? '' : `?by=${encodeURIComponent(args[1])}`;
      const body = (await (await request(`/keys/${key()}/incr${by}`, { method: 'POST', headers: once() })).json()) as { value: string };
      console.log(body.value);
      return;
    }
    case 'watch':
      return watch(values.prefix ?? '');
    case 'del': {
      const body = (await (await request(`/keys/${key()}`, { method: 'DELETE', headers: once() })).json()) as { deleted: boolean };
      console.log(body.deleted ? 'deleted' : 'there was no such key');
      return;
    }
    case 'list': {
      let cursor: string | null = '';
      do {
        const q = new URLSearchParams({ limit: values.limit ?? '1000', ...(values.prefix ? { prefix: values.prefix } : {}), ...(cursor ? { cursor } : {}) });
        const page = (await (await request(`/keys?${q}`)).json()) as { keys: string[]; cursor: string | null };
        for (const k of page.keys) console.log(k);
        cursor = page.cursor;
      } while (cursor);
      return;
    }
    case 'batch':
      return batch();
    case 'servers': {
      const servers = (await (await request(`/servers`)).json()) as Record<string, unknown>[];
      for (const s of servers) console.log(`${String(s.id).padEnd(22)} ${s.healthy ? 'healthy  ' : 'UNHEALTHY'} ${String(s.role).padEnd(9)} ${s.source}`);
      return;
    }
    case 'lbs': {
      const { lbs: list } = (await (await request(`/lbs`)).json()) as { lbs: { name: string; heardMsAgo: number; clusters: number }[] };
      for (const l of list) console.log(`${l.name.padEnd(30)} heard ${String(l.heardMsAgo).padStart(6)} ms ago by ${l.clusters} cluster(s)`);
      return;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

// Failure unless main() finishes: a fetch left unsettled (nothing keeping Node alive) must not
// end the process with status 0 and no output.
process.exitCode = 1;
main(process.argv.slice(2)).then(() => {
  process.exitCode = 0;
}, (err: Error) => {
  const usage = err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`hscale: ${err.message}${usage ? ' (see hscale --help)' : ''}`);
  process.exit(usage ? 2 : 1);
});
