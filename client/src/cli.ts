#!/usr/bin/env node
// hscale: command-line client of the LB. Renders the Mandelbrot set to a PNG file (the seed
// client asked with a width and an escape limit) and talks to the key-value cache.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const USAGE = `Usage: hscale [--lb URL[,URL...]] <command> [options]

Commands:
  render [-w WIDTH] [-e ESCAPE] [--height H] [-o FILE]   render the Mandelbrot set through the LB to a PNG
  get KEY                                                print the value of KEY
  set KEY VALUE [--ttl SECONDS]                          store VALUE under KEY
  del KEY                                                delete KEY
  list [--prefix P] [--limit N]                          list keys (all pages)
  batch < ops.jsonl                                      run operations from standard input, one JSON per line:
                                                         {"op":"get"|"set"|"del","key":K,"value"?:V,"ttl"?:S};
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
`;

class UsageError extends Error {}

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
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not JSON: print as is
    }
    throw new Error(`${res.status} ${res.statusText}: ${message}`);
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
  const key = () => {
    if (!args[0]) throw new UsageError(`${command} needs a KEY`);
    return encodeURIComponent(args[0]);
  };
  switch (command) {
    case 'render':
      return render(values);
    case 'get': {
      const body = (await (await request(`/keys/${key()}`)).json()) as { value: string; ttl: number | null };
      console.log(body.value);
      if (body.ttl !== null) console.error(`(expires in ${body.ttl} s)`);
      return;
    }
    case 'set': {
      if (args[1] === undefined) throw new UsageError('set needs a KEY and a VALUE');
      const ttl = values.ttl ? `?ttl=${encodeURIComponent(values.ttl)}` : '';
      const body = (await (await request(`/keys/${key()}${ttl}`, { method: 'PUT', body: args[1] })).json()) as { durability: string };
      console.log(`stored (held by ${body.durability === 'replica' ? 'a majority of the clusters' : 'the leader only'})`);
      return;
    }
    case 'del': {
      const body = (await (await request(`/keys/${key()}`, { method: 'DELETE' })).json()) as { deleted: boolean };
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
