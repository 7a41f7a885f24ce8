import type { EventLog } from '@vnet/events';
import { opaqueEntries } from '../opaque-data/opaque-map.js';
import { type RestoreCause, SwitchAggregate, type SwitchCommand, type SwitchEvent, switchDecider, type SwitchState } from './switch.decider.js';

/**
 * A switch as it was at `revision` (every switch event moves the revision by one), folded from its
 * stream. Null when the switch never reached that revision.
 */
export async function switchStateAt(log: EventLog, switchId: string, revision: number): Promise<SwitchState | null> {
  const events = await log.store.readStream(log.aggregates.streamId(SwitchAggregate, switchId));
  let state = switchDecider.initialState();
  for (const e of events) {
    const event = { type: e.type, data: e.data } as SwitchEvent;
    if (event.data.revision > revision) break;
    state = switchDecider.evolve(state, event);
  }
  return state.status === 'active' && state.revision === revision ? state : null;
}

/**
 * The restore that makes a switch equal to `past`: its members, port groups and opaque data, whole.
 * Name, MTU and rollback timeout are set once at creation (no event changes them), so an earlier
 * state of the same switch always has the ones it has now.
 */
export function restoreTo(past: SwitchState, cause: RestoreCause, unknownHostIds: string[]): Extract<SwitchCommand, { type: 'RestoreSwitchState' }> {
  return {
    type: 'RestoreSwitchState',
    id: past.id,
    cause,
    hostIds: past.hostIds,
    portGroups: past.portGroups.map(({ changedAtRevision: _c, ...pg }) => pg),
    opaque: opaqueEntries(past.opaque),
    unknownHostIds,
  };
}
