// The LB's side of writer fencing, as pure bookkeeping (fencer.ts does the I/O).
//
// Every write a slave runs carries (epoch, writer, generation). When the LB gives up on a write
// it sent to a slave (timeout, lost connection, the slave's own "the leader did not answer"), it
// raises that writer's fence in the leader's Redis to generation + 1: from then on the leader
// refuses the abandoned write, wherever it is stuck. An answer about data leaves the LB only once
// every write given up before that answer arrived is fenced, so an abandoned write can never take
// effect after the LB has answered anything else. A new epoch fences everything older by itself,
// so generations (and pending fences) start afresh with every epoch.
interface Abandoned {
  seq: number;
  writer: string;
  generation: number;
}

export class FenceBook {
  private epoch = 0;
  private seq = 0;
  private readonly generations = new Map<string, number>();
  private pending: Abandoned[] = [];

  /** A new epoch: every write of an older one is refused by the epoch alone. */
  enterEpoch(epoch: number): void {
    if (epoch <= this.epoch) return;
    this.epoch = epoch;
    this.generations.clear();
    this.pending = [];
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
    this.pending.push({ seq: ++this.seq, writer, generation: next });
    return true;
  }

  /** The leader refused a write: the writer's fence is `floor` (for example, raised by a previous LB). */
  learnFloor(writer: string, epoch: number, floor: number): void {
    if (epoch !== this.epoch) return;
    if (floor > (this.generations.get(writer) ?? 1)) this.generations.set(writer, floor);
  }

  /** The leader confirmed that writes of `writer` below `generation` are refused. Returns true if that settled anything. */
  raised(writer: string, epoch: number, generation: number): boolean {
    if (epoch !== this.epoch) return false;
    const before = this.pending.length;
    this.pending = this.pending.filter((p) => p.writer !== writer || p.generation > generation);
    return this.pending.length < before;
  }

  /** Fences still to raise in the current epoch: the highest generation wanted per writer. */
  pendingRaises(): { epoch: number; writer: string; generation: number }[] {
    const top = new Map<string, number>();
    for (const p of this.pending) top.set(p.writer, Math.max(top.get(p.writer) ?? 0, p.generation));
    return [...top].map(([writer, generation]) => ({ epoch: this.epoch, writer, generation }));
  }

  /** Sequence number of the latest abandonment: an answer that arrives now waits for those up to here. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Every write given up up to `seq` is fenced (or belongs to an older epoch). */
  settledUpTo(seq: number): boolean {
    return !this.pending.some((p) => p.seq <= seq);
  }

  get settled(): boolean {
    return this.pending.length === 0;
  }
}
