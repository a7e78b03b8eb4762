// Turns what the LB's parts report (ClusterView, Coordinator, Fencer) into the event log's entries.
import type { ClusterView } from './cluster-view.js';
import type { Coordinator, Elected } from './election/coordinator.js';
import type { EventLog } from './events.js';
import type { Fencer } from './routing/fencer.js';

export function recordFleetEvents(events: EventLog, view: ClusterView, coordinator: Coordinator, fencer: Fencer): void {
  view.on('added', (id: string, source: string) => events.record('cluster-joined', `${id} joined (${source})`, { id, source }));
  view.on('removed', (id: string, source: string) => events.record('cluster-left', `${id} left (${source})`, { id, source }));
  view.on('healthy', (id: string, name: string) => events.record('cluster-healthy', `${id} is healthy`, { id, name }));
  view.on('unhealthy', (id: string) =>
    events.record('cluster-unhealthy', `${id} failed ${view.table.get(id)?.failures ?? '?'} probes in a row: not used until it answers again`, { id }),
  );
  coordinator.on('elected', (e: Elected) =>
    events.record(
      'election',
      `${e.leaderId} elected leader of epoch ${e.epoch}${e.previous ? ` after ${e.previous}` : ''} (${e.reason}) in ${e.electionMs} ms` +
        (e.failoverMs !== null ? `; ${e.failoverMs} ms without a working leader` : ''),
      { ...e },
    ),
  );
  coordinator.on('followed', (e: { leaderId: string; epoch: number }) =>
    events.record('leader-adopted', `following ${e.leaderId}, leader of epoch ${e.epoch} (elected by a majority of the clusters, perhaps through another LB)`, e),
  );
  coordinator.on('no-leader', (reason: string) => events.record('no-leader', `no leader can be elected yet: ${reason}`, { reason }));
  fencer.on('fenced', (f: { writer: string; generation: number; epoch: number; via: string }) =>
    events.record('fenced', `writes of ${f.writer} below generation ${f.generation} fenced at the leader (epoch ${f.epoch})`, f),
  );
}
