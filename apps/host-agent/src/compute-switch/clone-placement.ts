import type { PortOverride } from '@vnet/contracts';
import { ConflictError } from '@vnet/events';
import { type ManagementPlacement, managementPortId, type PortView, type RunningSwitch } from './compute-state.js';

/** `POST /hosts/:id/management/restore` on a host whose management port is on no switch (VLAN 0). */
export class ManagementNotOnSwitchError extends ConflictError {
  constructor(hostId: string) {
    super('MANAGEMENT_NOT_ON_SWITCH', `the management port of host ${hostId} is not on a switch: there is no port to clone`);
    this.name = 'ManagementNotOnSwitchError';
  }
}

/**
 * A clone of the management port (CONTRACT §6.5), made from the host's console: it carries
 * management until the compute manager, reached again through it, has written an override for the
 * original port; then management moves back to the original (`moving-back`, proven by a round trip
 * before `deadline`), and the clone is removed.
 */
export interface ManagementClone {
  switchId: string;
  portGroupId: string;
  portId: string;
  clonedFrom: string;
  vlanId: number;
  /** The switch revision at which the clone was made (its `appliedAtRevision`). */
  revision: number;
  /** The revision under which the host was last connected through the original port. */
  lastConnectedRevision: number;
  phase: 'carrying' | 'repaired' | 'moving-back';
  /** `moving-back`: when management left the clone, and by when a round trip must prove the original. */
  movedAt?: number;
  deadline?: number;
  /** Why the last move back failed, if it did. */
  failure?: string;
  /** The ports revision (and its override's VLAN) of the last move back. */
  triedPortsRevision?: number;
  triedVlan?: number;
}

export const clonePortId = (hostId: string): string => `${managementPortId(hostId)}-clone`;

/** The clone of the management port where it is now, on `vlanId`. Throws when it is on no switch. */
export function placeClone(
  hostId: string,
  placement: ManagementPlacement | null,
  switches: ReadonlyMap<string, RunningSwitch>,
  vlanId: number,
  lastConnectedRevision: number,
): ManagementClone {
  const sw = placement ? switches.get(placement.switchId) : undefined;
  if (!placement || !sw) throw new ManagementNotOnSwitchError(hostId);
  return {
    switchId: sw.id,
    portGroupId: placement.portGroupId,
    portId: clonePortId(hostId),
    clonedFrom: managementPortId(hostId),
    vlanId,
    revision: sw.revision,
    lastConnectedRevision,
    phase: 'carrying',
  };
}

/** The override of one port of one switch, if the host's ports desired state carries one. */
export const overrideFor = (overrides: readonly PortOverride[] | undefined, switchId: string, portId: string): PortOverride | undefined =>
  overrides?.find((o) => o.switchId === switchId && o.portId === portId);

/** The VLAN management traffic leaves on: the clone's while it carries it, else the original port's. */
export const carrierVlan = (clone: ManagementClone | null, originalVlan: number): number =>
  clone && clone.phase !== 'moving-back' ? clone.vlanId : originalVlan;

/** Ports as the host shows them, with their overrides, and the clone on its switch. */
export function withOverridesAndClone(
  switchId: string,
  ports: PortView[],
  overrides: readonly PortOverride[] | undefined,
  clone: ManagementClone | null,
): Array<PortView & { clonedFrom?: string }> {
  const out: Array<PortView & { clonedFrom?: string }> = overrides?.length
    ? ports.map((p) => {
        const o = overrideFor(overrides, switchId, p.id);
        return o ? { ...p, vlanId: o.vlanId } : p;
      })
    : ports;
  if (clone?.switchId !== switchId) return out;
  return [
    ...out,
    { id: clone.portId, portGroupId: clone.portGroupId, vlanId: clone.vlanId, connectee: { type: 'management' }, clonedFrom: clone.clonedFrom, appliedAtRevision: clone.revision },
  ];
}

/** The override the compute manager wrote arrived: time to move management back, proven by `deadline`. */
export function moveBack(clone: ManagementClone, at: number, timeoutMs: number): ManagementClone {
  return { ...clone, phase: 'moving-back', movedAt: at, deadline: at + timeoutMs, failure: undefined };
}

/** No round trip through the original port in time: the clone carries management again. */
export function moveBackFailed(clone: ManagementClone, vlanId: number): ManagementClone {
  const failure = `no management round trip came back through port ${clone.clonedFrom} on VLAN ${vlanId} within ${(clone.deadline ?? 0) - (clone.movedAt ?? 0)} ms; management stays on ${clone.portId}`;
  return { ...clone, phase: 'repaired', movedAt: undefined, deadline: undefined, failure };
}

/** A round trip sent at `sentAt` came back: does it prove the original port carries management again? */
export const provesOriginal = (clone: ManagementClone | null, sentAt: number): boolean =>
  clone?.phase === 'moving-back' && clone.movedAt !== undefined && sentAt > clone.movedAt;
