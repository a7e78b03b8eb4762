// Probes every cluster on its own schedule, so that a silent cluster never delays the others:
// the leader often (its silence starts an election), the followers less often. Each probe's
// outcome goes to the membership table and to the coordinator, which is then asked to act.
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import type { Logger } from '@hscale/common';

export interface ProberOptions {
  /** Followers and clusters not yet in use. */
  intervalMs: number;
  leaderIntervalMs: number;
}

const TICK_MS = 25;
/** Leader probes may overlap, so that a silent leader is noticed at the leader interval, not at the timeout. */
const LEADER_PROBES_IN_FLIGHT = 3;

export class Prober {
  private readonly schedule = new Map<string, { nextAt: number; inFlight: number }>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly view: ClusterView,
    private readonly coordinator: Coordinator,
    private readonly opts: ProberOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = Date.now();
    const members = this.view.table.list();
    for (const id of this.schedule.keys()) if (!this.view.table.get(id)) this.schedule.delete(id);
    for (const m of members) {
      let s = this.schedule.get(m.id);
      if (!s) this.schedule.set(m.id, (s = { nextAt: 0, inFlight: 0 }));
      const leader = this.coordinator.isLeader(m.id);
      if (now < s.nextAt || s.inFlight >= (leader ? LEADER_PROBES_IN_FLIGHT : 1)) continue;
      // A leader that just failed a check is checked again at once (its next answers decide).
      const every = leader ? (this.coordinator.suspectingLeader ? TICK_MS : this.opts.leaderIntervalMs) : this.opts.intervalMs;
      s.nextAt = now + every;
      s.inFlight++;
      const sentAt = Date.now();
      void this.view.probe(m).then((outcome) => {
        s.inFlight--;
        this.coordinator.onProbe(m, outcome, sentAt);
      });
    }
    this.view.expireRegistrations();
    if (!this.checking) {
      this.checking = true;
      void this.coordinator
        .check()
        .catch((err: Error) => this.log.error('election step failed', { error: err.message }))
        .finally(() => (this.checking = false));
    }
  }
}
