// Membership from DNS: every A record of a name (a compose service, a headless Service), asked
// again on a schedule. dns.resolve4 queries the DNS server directly; getaddrinfo (dns.lookup)
// would sort the answers and steer most traffic to one address.
import { Resolver } from 'node:dns/promises';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '@hscale/common';
import type { ClusterView } from './cluster-view.js';

/** Answers that mean "the name has no addresses now" (for example, scaled to zero), not "DNS is broken". */
const EMPTY_ANSWER = new Set(['ENOTFOUND', 'ENODATA']);

export function startDnsDiscovery(view: ClusterView, name: string, port: number, everySeconds: number, log: Logger): ScheduledTask {
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  let lastError = '';
  const refresh = async () => {
    let addresses: string[];
    try {
      addresses = await resolver.resolve4(name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      if (!EMPTY_ANSWER.has(code)) {
        if (code !== lastError) log.warn('DNS lookup failed; keeping the current members', { name, code });
        lastError = code;
        return;
      }
      addresses = [];
    }
    lastError = '';
    view.replaceSource('dns', addresses.map((address) => ({ address, port })));
  };
  void refresh();
  return cron.schedule(`*/${everySeconds} * * * * *`, refresh, { noOverlap: true });
}
