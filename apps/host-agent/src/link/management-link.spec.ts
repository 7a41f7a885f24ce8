import { carries, ManagementLink, UNTAGGED_VLAN } from './management-link.js';

describe('management link', () => {
  it('carries every VLAN when the allowed list is empty, only the listed ones otherwise', () => {
    expect(carries({ allowedVlans: [] }, 0)).toBe(true);
    expect(carries({ allowedVlans: [] }, 4094)).toBe(true);
    expect(carries({ allowedVlans: [0, 10] }, 10)).toBe(true);
    expect(carries({ allowedVlans: [10] }, 0)).toBe(false);
  });

  it('starts on the untagged VLAN and flows with an open uplink', () => {
    const link = new ManagementLink();
    expect(link.managementVlan).toBe(UNTAGGED_VLAN);
    expect(link.flows).toBe(true);
    expect(link.epoch).toBe(0);
  });

  it('stops when the uplink drops the management VLAN and flows again when it carries it, telling each transition once', () => {
    const seen: boolean[] = [];
    const link = new ManagementLink({ allowedVlans: [] }, 0, (flows) => seen.push(flows));
    link.setUplink({ allowedVlans: [100] });
    expect(link.flows).toBe(false);
    link.setUplink({ allowedVlans: [100, 200] });
    link.setUplink({ allowedVlans: [0, 100] });
    expect(link.flows).toBe(true);
    link.setUplink({ allowedVlans: [] });
    expect(seen).toEqual([false, true]);
    expect(link.epoch).toBe(2);
  });

  it('follows the management port when it moves to another VLAN', () => {
    const seen: boolean[] = [];
    const link = new ManagementLink({ allowedVlans: [0, 20] }, 0, (flows) => seen.push(flows));
    link.setManagementVlan(30);
    expect(link.flows).toBe(false);
    link.setManagementVlan(20);
    expect(link.flows).toBe(true);
    expect(seen).toEqual([false, true]);
  });

  it('hands out copies: the caller cannot change the uplink behind its back', () => {
    const allowed = [5];
    const link = new ManagementLink({ allowedVlans: allowed });
    allowed.push(0);
    expect(link.flows).toBe(false);
    link.uplink.allowedVlans.push(0);
    expect(link.flows).toBe(false);
  });
});
