// nginx in the LB's seat: the same slaves behind one nginx worker with keep-alive upstream
// connections. It forwards request by request; the headers a slave needs (the epoch and a fixed
// writer, which nobody ever fences) are added here.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitForPort } from '../../test/helpers/processes.ts';

export interface Nginx {
  port: number;
  /** The worker process (where the work happens). */
  workerPid(): number;
  stop(): Promise<void>;
}

export async function startNginx(port: number, upstreams: string[], epoch: number, clusterSecret: string): Promise<Nginx> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hscale-nginx-'));
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  upstream slaves {
${upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://slaves;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header x-leader-epoch ${epoch};
      proxy_set_header authorization "Bearer ${clusterSecret}";
      proxy_set_header x-writer nginx;
      proxy_set_header x-writer-generation 1;
      proxy_set_header x-op-id $request_id;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  await waitForPort(port);
  const masterPid = Number(readFileSync(path.join(dir, 'nginx.pid'), 'utf8'));
  return {
    port,
    workerPid() {
      const children = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      return children[0]!;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
