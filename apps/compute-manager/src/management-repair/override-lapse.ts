import type { RecordedEvent } from '@vnet/events';
import type { SwitchEvent } from '../switches/switch.decider.js';

/** A change after which a switch's per-host overrides may lapse: a port group's VLAN (`portGroupId`), or the whole state (null). */
export interface LapseCandidate {
  switchId: string;
  portGroupId: string | null;
}

/**
 * The per-host overrides a repair wrote lapse when an operator changes the switch's management port
 * group again (its VLAN, or the whole state put back): the repaired hosts then follow the port group
 * like every other host, under the safety net. This picks the changes that may do so. Pure.
 */
export function lapseCandidates(events: readonly RecordedEvent[]): LapseCandidate[] {
  const out: LapseCandidate[] = [];
  for (const recorded of events) {
    const e = { type: recorded.type, data: recorded.data } as SwitchEvent;
    if (e.type === 'SwitchStateRestored') out.push({ switchId: e.data.id, portGroupId: null });
    else if (e.type === 'PortGroupReconfigured' && e.data.vlanId !== undefined) out.push({ switchId: e.data.id, portGroupId: e.data.portGroupId });
  }
  return out;
}
