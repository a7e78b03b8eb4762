// Runs wrk with a Lua script and reads its summary: requests, duration, latency percentiles (with
// p99.9, which wrk's --latency table lacks) and errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../test/helpers/docker.ts';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  p999ms: number;
  errors: number;
  non2xx: number;
}

export type Workload = 'get' | 'put' | 'mix' | 'batch100';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hscale-wrk-'));
let scripts = 0;

/** A wrk script: requests on `keys` keys, with the given headers; the summary as one JSON line. */
function script(workload: Workload, keys: number, headers: Record<string, string>): string {
  // A file of its own: two wrk runs at once (several LBs) must not read one while it is rewritten.
  const file = path.join(dir, `${workload}-${++scripts}.lua`);
  const value = 'v'.repeat(100);
  const batchBody = JSON.stringify({ ops: Array.from({ length: 100 }, (_, i) => ({ op: 'get', key: `bench:${i * 7}` })) });
  writeFileSync(
    file,
    `
math.randomseed(os.time())
${Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n')}
local value = ${JSON.stringify(value)}
request = function()
  local path = "/keys/bench:" .. math.random(0, ${keys - 1})
  local w = "${workload}"
  if w == "batch100" then
    return wrk.format("POST", "/batch", { ["content-type"] = "application/json" }, ${JSON.stringify(batchBody)})
  end
  if w == "put" or (w == "mix" and math.random(1, 10) == 1) then
    return wrk.format("PUT", path, nil, value)
  end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"p50":%d,"p99":%d,"p999":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.connect + e.read + e.write + e.timeout))
end
`,
  );
  return file;
}

export async function wrk(url: string, workload: Workload, connections: number, seconds: number, opts: { keys?: number; headers?: Record<string, string> } = {}): Promise<WrkResult> {
  const file = script(workload, opts.keys ?? 1000, opts.headers ?? {});
  const r = await run('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', file, url], {}, (seconds + 30) * 1000);
  const m = /WRK_JSON (\{.*\})/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`wrk failed (${r.code}): ${r.stdout}\n${r.stderr}`);
  const j = JSON.parse(m[1]!) as { requests: number; duration_us: number; p50: number; p99: number; p999: number; errors: number };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  const s = j.duration_us / 1e6;
  return { requests: j.requests, seconds: s, rps: Math.round(j.requests / s), p50ms: j.p50 / 1000, p99ms: j.p99 / 1000, p999ms: j.p999 / 1000, errors: j.errors, non2xx };
}
