/** VLAN 0: untagged. Where a host's management port sits until a management port group takes it. */
export const UNTAGGED_VLAN = 0;

export interface UplinkConfig {
  /** VLANs the simulated physical port carries; empty carries all. */
  allowedVlans: number[];
}

/** True when an uplink with these allowed VLANs carries traffic of `vlan`. */
export const carries = (uplink: UplinkConfig, vlan: number): boolean =>
  uplink.allowedVlans.length === 0 || uplink.allowedVlans.includes(vlan);

export type LinkListener = (flows: boolean) => void;

/**
 * A host's management link, as a cable would behave: traffic flows while the uplink carries the
 * management port's VLAN, and not at all otherwise (nothing is queued). Everything a host sends or
 * receives asks `flows` first. `epoch` changes at each transition, so that work started on one side
 * of a cut (a read, a request) can tell it must not land on the other.
 */
export class ManagementLink {
  private uplinkConfig: UplinkConfig;
  private vlan: number;
  private flowing: boolean;
  private transitions = 0;

  constructor(
    uplink: UplinkConfig = { allowedVlans: [] },
    managementVlan: number = UNTAGGED_VLAN,
    private readonly listener: LinkListener = () => undefined,
  ) {
    this.uplinkConfig = { allowedVlans: [...uplink.allowedVlans] };
    this.vlan = managementVlan;
    this.flowing = carries(this.uplinkConfig, this.vlan);
  }

  get flows(): boolean {
    return this.flowing;
  }

  get epoch(): number {
    return this.transitions;
  }

  get uplink(): UplinkConfig {
    return { allowedVlans: [...this.uplinkConfig.allowedVlans] };
  }

  get managementVlan(): number {
    return this.vlan;
  }

  /** The physical switch port's configuration changed (`PUT /hosts/:id/uplink`). */
  setUplink(uplink: UplinkConfig): void {
    this.uplinkConfig = { allowedVlans: [...uplink.allowedVlans] };
    this.reevaluate();
  }

  /** The management port moved to another VLAN (a management port group, a restore onto a clone). */
  setManagementVlan(vlan: number): void {
    this.vlan = vlan;
    this.reevaluate();
  }

  private reevaluate(): void {
    const flows = carries(this.uplinkConfig, this.vlan);
    if (flows === this.flowing) return;
    this.flowing = flows;
    this.transitions++;
    this.listener(flows);
  }
}
