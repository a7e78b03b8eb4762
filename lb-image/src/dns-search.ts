// The names to ask DNS for, as getaddrinfo would: c-ares (dns.resolve4) asks for a name exactly as
// given, but in a Kubernetes pod the Service name "cluster" resolves only through the search
// domains of /etc/resolv.conf ("hscale.svc.cluster.local", ...). The rules of resolv.conf(5).
import { readFileSync } from 'node:fs';

export interface ResolvConf {
  search: string[];
  ndots: number;
}

/** `search` (or `domain`; the last one wins) and `options ndots:N` (default 1, at most 15). */
export function parseResolvConf(text: string): ResolvConf {
  let search: string[] = [];
  let ndots = 1;
  for (const raw of text.split('\n')) {
    const [keyword, ...args] = raw.replace(/[#;].*/, '').trim().split(/\s+/);
    if (keyword === 'search' || keyword === 'domain') search = args.filter(Boolean).map((d) => d.replace(/\.$/, ''));
    if (keyword === 'options') {
      for (const o of args) {
        const m = /^ndots:(\d+)$/.exec(o);
        if (m) ndots = Math.min(15, Number(m[1]));
      }
    }
  }
  return { search, ndots };
}

/**
 * In the order to try: a name with a trailing dot as it is; a name with at least `ndots` dots as it
 * is first, then under each search domain; a shorter one under each search domain first.
 */
export function candidateNames(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = conf.search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}

/** This machine's resolver configuration (none readable: no search domains). */
export function systemResolvConf(path = '/etc/resolv.conf'): ResolvConf {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { search: [], ndots: 1 };
  }
}
