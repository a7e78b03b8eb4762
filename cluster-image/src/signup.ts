// Sign-up with the LB (for slaves outside compose/DNS, e.g. on another host): POST /servers with
// the cluster secret, renewed on a schedule so that the LB drops a server that stops renewing.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '@hscale/common';
import type { ClusterSettings } from './settings.js';

export function startSignup(s: ClusterSettings, log: Logger): ScheduledTask | null {
  if (!s.LB_URL) return null;
  let lastOk: boolean | null = null;
  const signUp = async () => {
    // Asked at each renewal: the advertised address follows the container's network.
    const body = JSON.stringify({ address: s.SIGNUP_ADDRESS || s.advertised.host, port: s.PORT, name: s.name });
    try {
      const res = await fetch(new URL('/servers', s.LB_URL), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.CLUSTER_SECRET}` },
        body,
        signal: AbortSignal.timeout(3000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      if (lastOk !== true) log.info('signed up with the LB', { lb: s.LB_URL, as: JSON.parse(body) });
      lastOk = true;
    } catch (err) {
      if (lastOk !== false) log.warn('sign-up with the LB failed; will retry', { lb: s.LB_URL, error: (err as Error).message });
      lastOk = false;
    }
  };
  void signUp();
  return cron.schedule(s.SIGNUP_SCHEDULE, signUp, { noOverlap: true });
}
