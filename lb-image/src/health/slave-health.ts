// A member's GET /health answer, checked before the LB believes any of it: the election and the
// router act on these fields, so a malformed or absurd answer (a bug, a compromised container)
// counts as a failed probe instead of steering them.
import { z } from 'zod';
import type { SlaveHealth } from '@hscale/common';

/**
 * Epochs above this are refused: a thousand elections a second for thirty years stay below it,
 * and the LB can always elect above a claim without leaving the safe integers.
 */
export const MAX_EPOCH = 2 ** 40;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const shortText = z.string().max(256);

const schema = z.object({
  name: shortText,
  epoch: z.number().int().min(0).max(MAX_EPOCH),
  promised: z.number().int().min(0).max(MAX_EPOCH).default(0),
  voters: z.number().int().min(0).max(100_000).default(0),
  dataEpoch: z.number().int().min(0).max(MAX_EPOCH).default(0),
  lbs: z.array(z.object({ name: shortText, heardMsAgo: count })).max(64).optional(),
  role: z.enum(['leader', 'follower', 'none']),
  leaderId: shortText.nullable(),
  leaderReachable: z.boolean(),
  redis: z.object({
    up: z.boolean(),
    role: z.enum(['master', 'replica', 'fenced', 'down']),
    endpoint: z.object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) }),
    offset: count,
    runId: shortText.nullable(),
    replIds: z.array(shortText).max(2),
    replOffset2: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER),
    syncing: z.boolean(),
    linkUp: z.boolean(),
    connectedReplicas: count,
    memory: z.object({ used: count, max: count, evictedKeys: count, policy: z.string().max(64) }).optional(),
    keys: count.optional(),
  }),
});

/** The health a member reported, or null when its answer is not one (unparsable, wrong shape, out of range). */
export function parseSlaveHealth(body: string): SlaveHealth | null {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return null;
  }
  const result = schema.safeParse(raw);
  return result.success ? (result.data as SlaveHealth) : null;
}
