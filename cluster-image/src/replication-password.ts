// The password a follower's Redis replicates with, one per epoch. Redis re-connects to its leader's
// address by itself, and an address can pass to another container (Docker reuses a stopped one's
// IP): with one shared password, a follower could copy the data of whatever Redis answers there
// now (a former leader of an older epoch, say), before any slave or LB could act. A leader's Redis
// accepts replication only with its epoch's password, and a follower offers only its epoch's.
import { createHmac } from 'node:crypto';

/** The replication password of `epoch`: derived from REDIS_PASSWORD, which every cluster has. */
export const replicationPassword = (redisPassword: string, epoch: number): string =>
  createHmac('sha256', redisPassword).update(`replication of epoch ${epoch}`).digest('hex');
