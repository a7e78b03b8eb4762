// The one fact a cluster must never forget, even across a slave restart: the highest epoch it
// promised to an election. Forgetting it would let an older election (another LB's, still in
// flight) use this cluster's vote a second time, so it is on disk, written before the promise is
// answered: to a temporary file, flushed, then renamed over the old one (never half-written).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

export class AcceptorState {
  private value = 0;

  constructor(private readonly file: string) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { promised?: unknown };
      if (Number.isSafeInteger(saved.promised) && (saved.promised as number) > 0) this.value = saved.promised as number;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the promised epoch from ${file}: ${(err as Error).message}`);
    }
  }

  get promised(): number {
    return this.value;
  }

  /** Raises the promised epoch (never lowers it), durably before returning. */
  raise(epoch: number): void {
    if (epoch <= this.value) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ promised: epoch })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.value = epoch;
  }
}
