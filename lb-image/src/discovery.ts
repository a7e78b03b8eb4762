// Membership from DNS: every A record of a name (a compose service, a headless Service), asked
// again on a schedule. dns.resolve4 queries the DNS server directly; getaddrinfo (dns.lookup)
// would sort the answers and steer most traffic to one address. resolve4 does not apply the
// search domains of /etc/resolv.conf, so this does (dns-search.ts): in a Kubernetes pod, the
// name "cluster" is found as cluster.<namespace>.svc.cluster.local.
import { Resolver } from 'node:dns/promises';
import { candidateNames, systemResolvConf } from './dns-search.js';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '@hscale/common';
import type { ClusterView } from './cluster-view.js';

/** Answers that mean "the name has no addresses now" (for example, scaled to zero), not "DNS is broken". */
const EMPTY_ANSWER = new Set(['ENOTFOUND', 'ENODATA']);

export function startDnsDiscovery(view: ClusterView, name: string, port: number, everySeconds: number, log: Logger): ScheduledTask {
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  const names = candidateNames(name, systemResolvConf());
  let lastError = '';
  let lastFound = '';
  /**
   * The addresses of the first candidate name that has any; [] when each one is empty; null when
   * DNS failed. It stops at the first failure (a timeout must not send the search on to a name in
   * some other domain, whose hosts would then get the cluster secret), and once a name has
   * answered it asks only that one: the clusters do not move between domains.
   */
  const resolve = async (): Promise<{ found: string; addresses: string[] } | null> => {
    let failed = '';
    for (const candidate of lastFound ? [lastFound] : names) {
      try {
        const addresses = await resolver.resolve4(candidate);
        if (addresses.length > 0) return { found: candidate, addresses };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
        if (!EMPTY_ANSWER.has(code)) {
          failed = code;
          break;
        }
      }
    }
    if (!failed) return { found: '', addresses: [] };
    if (failed !== lastError) log.warn('DNS lookup failed; keeping the current members', { name, tried: names, code: failed });
    lastError = failed;
    return null;
  };
  const refresh = async () => {
    const answer = await resolve();
    if (!answer) return;
    lastError = '';
    if (answer.found && answer.found !== lastFound) log.info('cluster name resolved', { name, as: answer.found });
    lastFound = answer.found || lastFound;
    view.replaceSource('dns', answer.addresses.map((address) => ({ address, port })));
  };
  void refresh();
  return cron.schedule(`*/${everySeconds} * * * * *`, refresh, { noOverlap: true });
}
