// Long-lived answers (Server-Sent Events streams, blocking reads) each hold a socket, a timer and,
// for watches, a connection to a slave: their number is bounded per LB and per client address,
// and a stream whose client does not read is closed before the LB buffers much for it.
import type { Response } from 'express';
import { HttpError } from '@hscale/common';

/** Past this many bytes waiting to be sent, a stream's client is not reading: it is closed. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Watches and blocking reads at once, per LB and per client address. */
export const MAX_WATCHES = 256;
export const MAX_WATCHES_PER_CLIENT = 64;

export const notReading = (res: Response): boolean => res.writableLength > MAX_BUFFERED_BYTES;

export class StreamSlots {
  private open = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly perClient: number,
    private readonly what: string,
  ) {}

  /** Takes a slot until `res` closes; 503 too_many_streams when none is left. */
  take(res: Response): void {
    if (this.open >= this.max) throw new HttpError(503, 'too_many_streams', `${this.open} ${this.what} are open, the most this LB keeps; try again later`, { 'Retry-After': '5' });
    // One client may not take every slot.
    const client = res.req.socket.remoteAddress ?? '?';
    if ((this.byClient.get(client) ?? 0) >= this.perClient) {
      throw new HttpError(503, 'too_many_streams', `this client has ${this.perClient} ${this.what} open already, the most one client may hold`, { 'Retry-After': '5' });
    }
    this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
    this.open++;
    res.once('close', () => {
      this.open--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    });
  }
}
