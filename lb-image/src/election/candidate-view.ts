// What the election rules (decide.ts) see of a member: its last reported health, flattened.
import type { Member } from '../membership/membership.js';
import type { CandidateView } from './decide.js';

export const candidateOf = (m: Member): CandidateView => ({
  id: m.id,
  name: m.health?.name || m.id,
  probed: m.probed,
  healthy: m.healthy && m.failures === 0,
  epoch: m.health?.epoch ?? 0,
  promised: m.health?.promised ?? 0,
  voters: m.health?.voters ?? 0,
  claimsLeadership: m.health?.role === 'leader',
  leaderId: m.health?.leaderId ?? null,
  redisRole: m.health?.redis.role ?? 'down',
  offset: m.health?.redis.offset ?? 0,
  dataEpoch: m.health?.dataEpoch ?? 0,
  syncing: m.health?.redis.syncing ?? false,
});
