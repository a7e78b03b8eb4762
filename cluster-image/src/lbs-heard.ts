// The LBs this slave has heard from lately (each names itself in every request: LB_HEADER), so
// that any LB can list every LB of the fleet (GET /lbs) from the clusters' health reports.
const FORGET_AFTER_MS = 60_000;
const MAX_LBS = 64;

export class LbsHeard {
  private readonly lastHeard = new Map<string, number>();

  saw(name: string | string[] | undefined, now = Date.now()): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) return;
    this.lastHeard.delete(name); // re-inserted last: the map stays in order of last contact
    this.lastHeard.set(name, now);
    if (this.lastHeard.size > MAX_LBS) this.lastHeard.delete(this.lastHeard.keys().next().value!);
  }

  list(now = Date.now()): { name: string; heardMsAgo: number }[] {
    const out: { name: string; heardMsAgo: number }[] = [];
    for (const [name, at] of this.lastHeard) {
      if (now - at > FORGET_AFTER_MS) this.lastHeard.delete(name);
      else out.push({ name, heardMsAgo: now - at });
    }
    return out;
  }
}
