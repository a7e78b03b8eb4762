// A member's GET /health answer, checked before the LB believes any of it: the election and the
// router act on these fields, so a malformed or absurd answer (a bug, a compromised container)
// counts as a failed probe instead of steering them. The schema and its bounds: common's
// protocol-schemas.ts.
import { SlaveHealthSchema, type SlaveHealth } from '@hscale/common';

/** A slave's JSON answer, or null when it is not JSON. */
export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(body.toString());
  } catch {
    return null;
  }
}

/** The health a member reported, or null when its answer is not one (unparsable, wrong shape, out of range). */
export function parseSlaveHealth(body: string): SlaveHealth | null {
  const result = SlaveHealthSchema.safeParse(parseJson(body));
  return result.success ? result.data : null;
}
