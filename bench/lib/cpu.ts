// CPU time used by processes and containers, for "CPU seconds per 1,000 requests" and idle cost.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (/proc/<pid>/stat). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds used by a container so far (cgroup v1 cpuacct or cgroup v2 cpu.stat); null if unknown. */
export function containerCpuSeconds(id: string): number | null {
  const candidates: [string, (text: string) => number][] = [
    [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t) / 1e9],
    [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1]) / 1e6],
    [`/sys/fs/cgroup/docker/${id}/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1]) / 1e6],
  ];
  for (const [file, parse] of candidates) {
    try {
      const v = parse(readFileSync(file, 'utf8'));
      if (Number.isFinite(v)) return v;
    } catch {
      // not this layout
    }
  }
  return null;
}

/** CPU seconds the whole machine spent busy (not idle) so far, and how many cores it has. */
export function machineBusySeconds(): { busy: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const total = lines[0]!.split(/\s+/).slice(1).map(Number);
  const idle = (total[3] ?? 0) + (total[4] ?? 0);
  const all = total.reduce((a, b) => a + b, 0);
  return { busy: (all - idle) / TICKS_PER_SECOND, cores: lines.filter((l) => /^cpu\d/.test(l)).length };
}
