import { Inject, Injectable } from '@nestjs/common';
import type { ManagementRepairReply, ManagementRepairRequest } from '@vnet/contracts';
import { EventLog } from '@vnet/events';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';
import { HostAggregate, hostDecider } from '../hosts/host.decider.js';
import { switchStateAt } from '../switches/switch-history.js';
import { managementPortGroup } from './management-placement.js';

/**
 * A host reached again through a clone of its management port (§6.5): the original port gets back,
 * on that host only, the VLAN under which the host was last connected, as an override recorded in
 * the host's log and published in its ports desired state; the port group stays as it is elsewhere.
 */
@Injectable()
export class ManagementRepairService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly ports: HostPortsPublisher,
  ) {}

  async repair(request: ManagementRepairRequest, correlationId: string): Promise<ManagementRepairReply> {
    const { hostId, switchId, portId, lastConnectedRevision } = request;
    const then = await switchStateAt(this.log, switchId, lastConnectedRevision);
    const group = then && managementPortGroup(then, hostId);
    if (!group) {
      return { ok: false, detail: `host ${hostId} had no management port group on switch ${switchId} at revision ${lastConnectedRevision}` };
    }
    const reason = `management restored through clone ${request.clonePortId}: port ${portId} back on VLAN ${group.vlanId} of revision ${lastConnectedRevision}`;
    await this.log.execute(
      HostAggregate,
      hostId,
      { correlationId, causationId: null, actor: `host:${hostId}` },
      (state) =>
        hostDecider.decide({ type: 'OverrideHostPort', hostId, switchId, portId, vlanId: group.vlanId, fromRevision: lastConnectedRevision, reason }, state),
      () => undefined,
    );
    return { ok: true, portsRevision: await this.ports.publish(hostId) };
  }
}
