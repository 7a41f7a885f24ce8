import type { Upcaster } from '@vnet/events';
import { DEFAULT_SWITCH_MTU } from './switch.decider.js';

/**
 * Older shapes of the switch's events. `SwitchCreated` version 1 carried no `mtu` (every switch ran
 * at the default MTU); version 2 names it. Unstamped events that already carry it keep theirs.
 */
export const SWITCH_UPCASTERS: Upcaster[] = [
  {
    type: 'SwitchCreated',
    from: 1,
    upcast: (data: { mtu?: number }) => ({ ...data, mtu: data.mtu ?? DEFAULT_SWITCH_MTU }),
  },
];
