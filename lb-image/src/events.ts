// What happened to the fleet, in order: elections, clusters joining, leaving, failing and
// recovering, writers fenced. Kept in memory (the newest MAX_EVENTS) for GET /events and pushed
// live to Server-Sent Events subscribers (the dashboard's timeline).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';

export type EventKind =
  | 'lb-started'
  | 'election'
  | 'leader-adopted'
  | 'no-leader'
  | 'cluster-joined'
  | 'cluster-left'
  | 'cluster-healthy'
  | 'cluster-unhealthy'
  | 'fenced';

export interface FleetEvent {
  /** 1, 2, 3, ... since this LB started: a client asks for what came after the last it saw. */
  seq: number;
  time: string;
  kind: EventKind;
  message: string;
  details: Record<string, unknown>;
}

export const MAX_EVENTS = 1000;

export class EventLog extends EventEmitter {
  private readonly events: FleetEvent[] = [];
  private seq = 0;
  /** Names this run of the LB: sequence numbers start again at 1 when it restarts. */
  readonly boot = randomBytes(4).toString('hex');

  constructor(private readonly now: () => Date = () => new Date()) {
    super();
    this.setMaxListeners(0); // one listener per open dashboard
  }

  record(kind: EventKind, message: string, details: Record<string, unknown> = {}): FleetEvent {
    const e: FleetEvent = { seq: ++this.seq, time: this.now().toISOString(), kind, message, details };
    this.events.push(e);
    if (this.events.length > MAX_EVENTS) this.events.shift();
    this.emit('event', e);
    return e;
  }

  /** Events with seq > `after`, oldest first, at most `limit`. */
  since(after: number, limit: number): FleetEvent[] {
    const start = this.events.findIndex((e) => e.seq > after);
    return start < 0 ? [] : this.events.slice(start, start + limit);
  }
}
