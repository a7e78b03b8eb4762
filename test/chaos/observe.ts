// What a chaos run observes of the clusters themselves (chaos.ts): during the run, which epoch
// each slave believes it serves and whether it leads it; at the end, each cluster's own data and
// listing index, read with redis-cli inside its container.
import { performance } from 'node:perf_hooks';
import { containers, docker, run } from '../helpers/docker.ts';
import type { ClusterData, LeaderSighting } from './checker.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every 250 ms, asks each cluster's slave what it believes: which epoch, and whether it leads it.
 * The answer is credited to the container the slave names (its host name is the container's short
 * id), not to the one the address belonged to when last looked up: Docker gives a stopped
 * container's address to the next one that starts.
 */
export function startSightings(project: string) {
  const sightings: LeaderSighting[] = [];
  let running = true;
  const loop = (async () => {
    let ips: string[] = [];
    let byHost = new Map<string, string>();
    let unknownHost = false;
    for (let round = 0; running; round++) {
      if (round % 8 === 0 || unknownHost) {
        unknownHost = false;
        const all = await containers(project, 'cluster').catch(() => []);
        ips = all.flatMap((c) => c.ips);
        byHost = new Map(all.map((c) => [c.id.slice(0, 12), c.name]));
      }
      await Promise.all(
        ips.map(async (ip) => {
          const h = (await fetch(`http://${ip}:3000/health`, { signal: AbortSignal.timeout(300) })
            .then((r) => r.json())
            .catch(() => null)) as { name: string; epoch: number; role: string; redis: { role: string } } | null;
          const cluster = h && byHost.get(h.name);
          // A container newer than the list: looked up again before its answers count.
          if (h && !cluster) unknownHost = true;
          if (h && cluster) sightings.push({ at: performance.now(), cluster, epoch: h.epoch, leading: h.role === 'leader' && h.redis.role === 'master' });
        }),
      );
      await sleep(250);
    }
  })();
  return {
    sightings,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** The value of each key in one cluster's own Redis (null: absent). */
async function clusterData(container: string, keys: string[]): Promise<Record<string, string | null>> {
  const out = await docker('exec', container, 'redis-cli', '--no-raw', 'mget', ...keys);
  const values = out.split('\n').map((line) => {
    const m = /^\s*\d+\) (?:"(.*)"|\(nil\))$/.exec(line);
    if (!m) throw new Error(`unexpected redis-cli output from ${container}: ${out.slice(0, 200)}`);
    return m[1] ?? null;
  });
  if (values.length !== keys.length) throw new Error(`${container}: ${values.length} values for ${keys.length} keys`);
  return Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
}

/** The run's keys that a cluster's listing index names (internal keys start with a NUL byte: read by a script). */
export async function clusterIndex(container: string, prefix: string): Promise<string[]> {
  const script = "return redis.call('ZRANGEBYLEX', string.char(0) .. 'hs:index', '[' .. ARGV[1], '[' .. ARGV[1] .. string.char(255))";
  const out = await docker('exec', container, 'redis-cli', '--no-raw', 'eval', script, '0', prefix);
  if (out === '(empty array)' || out === '(empty list or set)') return [];
  return out.split('\n').map((line) => {
    const m = /^\s*\d+\) "(.*)"$/.exec(line);
    if (!m) throw new Error(`unexpected redis-cli output from ${container}: ${out.slice(0, 200)}`);
    return m[1]!;
  });
}

/** Waits (bounded) until every cluster holds the leader's data, then returns what each holds. */
export async function finalData(project: string, lbUrl: string, keys: string[], log: (s: string) => void) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const leaderAddress = ((await fetch(`${lbUrl}/leader`).then((r) => r.json())) as { address: string }).address;
    const all = await containers(project, 'cluster');
    const datas = await Promise.all(all.map(async (c) => ({ cluster: c.name, ips: c.ips, data: await clusterData(c.name, keys).catch(() => null) })));
    const leader = datas.find((d) => d.ips.includes(leaderAddress));
    const same = (d: (typeof datas)[number]) => d.data && leader?.data && keys.every((k) => d.data![k] === leader.data![k]);
    if ((leader?.data && datas.every(same)) || Date.now() > deadline) {
      if (!leader?.data) throw new Error('could not read the leader\'s data at the end');
      const others: ClusterData[] = datas.filter((d) => d !== leader).map((d) => ({ cluster: d.cluster, data: d.data ?? {} }));
      return { leader: { cluster: leader.cluster, data: leader.data }, others };
    }
    log('    waiting for every cluster to hold the leader\'s data ...');
    await sleep(1000);
  }
}

/**
 * For a failed run: every container's log lines (the LBs' and slaves' JSON logs) that concern the
 * given epochs (elections, promises, assignments, follows), merged in time order, each prefixed
 * with its container. What a reader needs to tell how two clusters came to lead one epoch.
 */
export async function leadershipLog(project: string, epochs: number[]): Promise<string[]> {
  const wanted = new Set(epochs);
  const all = (await docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`)).split('\n').filter(Boolean);
  const lines: { at: string; line: string }[] = [];
  for (const id of all) {
    const name = (await docker('inspect', '-f', '{{.Name}}', id)).replace(/^\//, '');
    const logs = await run('docker', ['logs', id]);
    for (const raw of `${logs.stdout}\n${logs.stderr}`.split('\n')) {
      if (!raw.startsWith('{')) continue;
      let entry: { epoch?: unknown; timestamp?: unknown };
      try {
        entry = JSON.parse(raw) as typeof entry;
      } catch {
        continue;
      }
      if (typeof entry.epoch === 'number' && wanted.has(entry.epoch)) lines.push({ at: String(entry.timestamp), line: `${name.padEnd(26)} ${raw}` });
    }
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at)).map((l) => l.line);
}
