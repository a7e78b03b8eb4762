// The LB's side of writer fencing, as pure bookkeeping (fencer.ts does the I/O).
//
// Every write a slave runs carries (epoch, writer, generation). When the LB gives up on a write
// it sent to a slave (timeout, lost connection, the slave's own "the leader did not answer"), it
// raises that writer's fence in the leader's Redis to generation + 1: from then on the leader
// refuses the abandoned write, wherever it is stuck. Until every such raise is confirmed, no
// answer about data leaves the LB, so an abandoned write can never take effect after the LB has
// answered anything else. A new epoch fences everything older by itself, so generations (and
// pending raises) start afresh with every epoch.
export class FenceBook {
  private epoch = 0;
  private readonly generations = new Map<string, number>();
  private readonly pending = new Map<string, number>();

  /** A new epoch: every write of an older one is refused by the epoch alone. */
  enterEpoch(epoch: number): void {
    if (epoch <= this.epoch) return;
    this.epoch = epoch;
    this.generations.clear();
    this.pending.clear();
  }

  generationOf(writer: string, epoch: number): number {
    this.enterEpoch(epoch);
    return this.generations.get(writer) ?? 1;
  }

  /** A write sent to `writer` was given up. Returns true when a fence must now be raised. */
  abandon(writer: string, epoch: number, generation: number): boolean {
    if (epoch < this.epoch) return false; // a newer epoch already fences it
    this.enterEpoch(epoch);
    const next = generation + 1;
    if (next > (this.generations.get(writer) ?? 1)) this.generations.set(writer, next);
    this.pending.set(writer, Math.max(this.pending.get(writer) ?? 0, next));
    return true;
  }

  /** The leader refused a write: the writer's fence is `floor` (for example, raised by a previous LB). */
  learnFloor(writer: string, epoch: number, floor: number): void {
    if (epoch !== this.epoch) return;
    if (floor > (this.generations.get(writer) ?? 1)) this.generations.set(writer, floor);
  }

  /** The leader confirmed that writes of `writer` below `generation` are refused. */
  raised(writer: string, epoch: number, generation: number): void {
    if (epoch !== this.epoch) return;
    if ((this.pending.get(writer) ?? Infinity) <= generation) this.pending.delete(writer);
  }

  /** Fences still to raise in the current epoch. */
  pendingRaises(): { epoch: number; writer: string; generation: number }[] {
    return [...this.pending].map(([writer, generation]) => ({ epoch: this.epoch, writer, generation }));
  }

  get settled(): boolean {
    return this.pending.size === 0;
  }
}
