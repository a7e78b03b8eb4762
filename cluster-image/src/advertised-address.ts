// The address other clusters use to reach this cluster's Redis. Fixed when ADVERTISE_ADDRESS is
// set (a cluster behind NAT, a pod IP). Otherwise it is the address the LB reaches this slave at:
// the local end of the LB's authenticated requests. That is by construction an address on the
// network the LB and the clusters share, even when the container has several interfaces (a Swarm
// task also sits on docker_gwbridge, which other tasks cannot reach), and it follows the container
// when its network changes (disconnected and connected again, it gets a new address).
import os from 'node:os';

export function firstExternalIPv4(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** "::ffff:10.0.1.5" (an IPv4 peer on a dual-stack socket) → "10.0.1.5". */
export const plainAddress = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address);

export class AdvertisedAddress {
  private learned: string | null = null;

  constructor(private readonly fixed: string, private readonly guess: () => string = firstExternalIPv4) {}

  /** Where others reach this Redis now. */
  get host(): string {
    return this.fixed || this.learned || this.guess();
  }

  /**
   * The local address of a request that carried the cluster secret (so came from the LB, or an
   * operator). Loopback, link-local and unspecified addresses are never where other clusters
   * reach this one (an operator's curl inside the container, a port-forward): ignored.
   */
  observe(localAddress: string | undefined): void {
    if (this.fixed || !localAddress) return;
    const address = plainAddress(localAddress);
    if (/^(127\.|169\.254\.|0\.0\.0\.0$)|^(::1?|fe80:.*)$/i.test(address)) return;
    this.learned = address;
  }
}
