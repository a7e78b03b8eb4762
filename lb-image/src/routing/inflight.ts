// Counts requests that are talking to the leader, so an election can let them finish first:
// a write still on its way to the old leader must not land after the new leader was chosen.
export class InflightTracker {
  private count = 0;
  private waiters: (() => void)[] = [];

  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await fn();
    } finally {
      this.count--;
      if (this.count === 0) for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves when nothing is in flight, or after `timeoutMs` (requests have their own timeouts). */
  drain(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
