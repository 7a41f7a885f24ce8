import { DEFAULT_POLICY } from '@vnet/contracts';
import { switchDecider, type SwitchState } from '../switches/switch.decider.js';
import { managementPortGroup } from './management-placement.js';

const pg = (id: string, vlanId: number, management: boolean) => ({ id, name: id, vlanId, management, policy: DEFAULT_POLICY, changedAtRevision: 1 });
const state = (portGroups: SwitchState['portGroups']): SwitchState => ({ ...switchDecider.initialState(), status: 'active', id: 's1', hostIds: ['h1'], portGroups });

describe('managementPortGroup', () => {
  it('is the most recently created management port group of a switch the host is a member of', () => {
    expect(managementPortGroup(state([pg('a', 10, true), pg('b', 20, false), pg('c', 30, true)]), 'h1')?.id).toBe('c');
  });

  it('is none for a switch with no management port group, or a host that is not a member', () => {
    expect(managementPortGroup(state([pg('b', 20, false)]), 'h1')).toBeNull();
    expect(managementPortGroup(state([pg('a', 10, true)]), 'h2')).toBeNull();
  });
});
