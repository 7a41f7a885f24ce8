import type { EventLog } from '@vnet/events';
import { SwitchAggregate, type SwitchEvent, switchDecider, type SwitchState } from './switch.decider.js';

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
