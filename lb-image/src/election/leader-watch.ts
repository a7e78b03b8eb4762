// Whether the leader has failed: the failure detector, as pure logic (times are passed in).
//
// A silent probe is weak evidence: a busy machine answers late too. So a probe that timed out, or
// a slave that could not reach the leader's Redis, counts against the leader only if nothing
// proved the leader alive since that probe or request was sent: a successful probe, or any
// key-value request that the leader's Redis served. Under load, real traffic keeps proving it
// alive, and a saturated machine never fails over. A probe that answers with "my Redis is down,
// restarted or not the leader" is direct knowledge and always counts.
export class LeaderWatch {
  private lastAliveAt = -Infinity;
  private failures = 0;

  constructor(private readonly threshold: number) {}

  /** A new leader (or a fresh start): alive as of `now`. */
  reset(now: number): void {
    this.lastAliveAt = now;
    this.failures = 0;
  }

  /** Evidence, received at `at`, that the leader's Redis works. */
  alive(at: number): void {
    this.lastAliveAt = Math.max(this.lastAliveAt, at);
    this.failures = 0;
  }

  /** A check sent at `sentAt` failed; `direct` when the answer itself said the leader does not work. */
  failure(sentAt: number, direct: boolean): void {
    if (direct || sentAt > this.lastAliveAt) this.failures++;
  }

  /** When the leader was last known to work (the start of a failover, once it has failed). */
  get lastAlive(): number {
    return this.lastAliveAt;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  get failed(): boolean {
    return this.failures >= this.threshold;
  }

  /** Worth checking again at once. */
  get suspect(): boolean {
    return this.failures > 0;
  }
}
