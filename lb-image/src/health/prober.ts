// Probes every cluster on its own schedule, so that a silent cluster never delays the others:
// the leader often (its silence starts an election), the followers less often, and a follower that
// is answering real traffic hardly at all (its answers prove it works). The cost stays flat per
// cluster as the fleet grows. Each probe's outcome goes to the membership table and to the
// coordinator, which is then asked to act.
import type { ClusterView } from '../cluster-view.js';
import type { Coordinator } from '../election/coordinator.js';
import type { Logger } from '@hscale/common';

export interface ProberOptions {
  /** Followers and clusters not yet in use. */
  intervalMs: number;
  leaderIntervalMs: number;
}

const TICK_MS = 25;
const CHECK_AT_LEAST_EVERY_MS = 250;
/** A follower that answers traffic is still probed this many intervals apart (to refresh what /servers shows). */
const SERVING_SLOWDOWN = 5;
/**
 * Probes of the leader, and of a cluster that just failed one, may overlap and go out at the
 * leader's pace: a silent cluster is then noticed at that pace, not one timeout after another.
 */
const URGENT_PROBES_IN_FLIGHT = 3;

export class Prober {
  private readonly schedule = new Map<string, { nextAt: number; inFlight: number; lastProbeAt: number }>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  /** A probe came back since the coordinator last looked: worth looking again. */
  private changed = true;
  private lastCheck = 0;

  constructor(
    private readonly view: ClusterView,
    private readonly coordinator: Coordinator,
    private readonly opts: ProberOptions,
    private readonly log: Logger,
  ) {
    // A slave said it serves a newer epoch (another LB's election): look at it now, not in seconds.
    coordinator.on('probe-soon', (id: string) => {
      const s = this.schedule.get(id);
      if (s) Object.assign(s, { nextAt: 0, lastProbeAt: 0 });
    });
  }

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
      if (!s) this.schedule.set(m.id, (s = { nextAt: 0, inFlight: 0, lastProbeAt: 0 }));
      const leader = this.coordinator.isLeader(m.id);
      const suspect = m.failures > 0 && m.healthy;
      const urgent = leader || suspect;
      if (now < s.nextAt || s.inFlight >= (urgent ? URGENT_PROBES_IN_FLIGHT : 1)) continue;
      if (!urgent && m.healthy && now - this.view.lastServed(m.id) < this.opts.intervalMs && now - s.lastProbeAt < SERVING_SLOWDOWN * this.opts.intervalMs) {
        s.nextAt = now + this.opts.intervalMs;
        continue;
      }
      s.lastProbeAt = now;
      // A leader that just failed a check is checked again at once (its next answers decide).
      const every = leader && this.coordinator.suspectingLeader ? TICK_MS : urgent ? this.opts.leaderIntervalMs : this.opts.intervalMs;
      s.nextAt = now + every;
      s.inFlight++;
      const sentAt = Date.now();
      void this.view.probe(m).then((outcome) => {
        s.inFlight--;
        this.changed = true;
        this.coordinator.onProbe(m, outcome, sentAt);
      });
    }
    this.view.expireRegistrations();
    // The coordinator looks after each probe that came back (and now and then regardless, for
    // what changes without a probe: traffic, membership), not at every tick.
    if (!this.checking && (this.changed || now - this.lastCheck >= CHECK_AT_LEAST_EVERY_MS)) {
      this.changed = false;
      this.lastCheck = now;
      this.checking = true;
      void this.coordinator
        .check()
        .catch((err: Error) => this.log.error('election step failed', { error: err.message }))
        .finally(() => (this.checking = false));
    }
  }
}
