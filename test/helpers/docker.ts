// Docker helpers for the end-to-end tests: run commands, find the project's containers.
import { execFile } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export async function docker(...args: string[]): Promise<string> {
  const r = await run('docker', args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

export interface Container {
  id: string;
  name: string;
  service: string;
  ips: string[];
}

/** Running containers of a compose project (both compose v1 and v2 set these labels). */
export async function containers(project: string, service?: string): Promise<Container[]> {
  const filters = ['--filter', `label=com.docker.compose.project=${project}`];
  if (service) filters.push('--filter', `label=com.docker.compose.service=${service}`);
  const ids = (await docker('ps', '-q', ...filters)).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const out = await docker('inspect', '-f', '{{.Id}}|{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}|{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', ...ids);
  return out.split('\n').map((line) => {
    const [id, name, svc, ips] = line.split('|');
    return { id: id!, name: name!.replace(/^\//, ''), service: svc!, ips: ips!.trim().split(/\s+/).filter(Boolean) };
  });
}

export async function containerWithIp(project: string, ip: string): Promise<Container> {
  const c = (await containers(project, 'cluster')).find((x) => x.ips.includes(ip));
  if (!c) throw new Error(`no cluster container of ${project} has address ${ip}`);
  return c;
}
