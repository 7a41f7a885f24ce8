import { Injectable } from '@nestjs/common';
import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { NotFoundError } from '@vnet/events';
import { ReadOnlyConstructError } from '../network-switch/read-only-construct.error.js';
import type { HostEventPage } from './dto/host-events.dto.js';
import type { UplinkView } from './dto/uplink.dto.js';
import { HostAgentRuntime } from './host-agent.runtime.js';
import { HostRegistry } from './host-registry.js';
import type { HostSummary, HostView } from './host.view.js';
import type { Host } from './host.js';

@Injectable()
export class HostsService {
  constructor(
    private readonly registry: HostRegistry,
    private readonly runtime: HostAgentRuntime,
  ) {}

  list(): HostSummary[] {
    return this.registry.list().map((h) => h.summary());
  }

  async add(hostId: string): Promise<{ created: boolean; view: HostView }> {
    const { host, created } = await this.registry.add(hostId);
    if (created) this.runtime.startHost(host);
    return { created, view: host.view() };
  }

  get(hostId: string): HostView {
    return this.host(hostId).view();
  }

  events(hostId: string, after: number, limit: number): HostEventPage {
    const { entries, next } = this.host(hostId).journal.page(after, limit);
    return { events: entries, next };
  }

  logicalNetworks(hostId: string): LogicalNetworkConstruct[] {
    return this.host(hostId).networkSwitch.constructs();
  }

  logicalNetwork(hostId: string, networkId: string): LogicalNetworkConstruct {
    const construct = this.host(hostId).networkSwitch.get(networkId);
    if (!construct) throw new NotFoundError('logical network', networkId);
    return construct;
  }

  /** Any write to a construct: refused, for a host that exists. */
  refuseConstructWrite(hostId: string, networkId?: string): never {
    this.host(hostId);
    throw new ReadOnlyConstructError(networkId);
  }

  setUplink(hostId: string, allowedVlans: number[]): Promise<UplinkView> {
    return this.host(hostId).setUplink({ allowedVlans });
  }

  /** A host whose management port is on no switch has nothing to clone: 409 MANAGEMENT_NOT_ON_SWITCH. */
  restoreManagement(hostId: string, vlanId: number): Promise<{ clonePortId: string }> {
    return this.host(hostId).restoreManagement(vlanId);
  }

  private host(hostId: string): Host {
    const host = this.registry.get(hostId);
    if (!host) throw new NotFoundError('host', hostId);
    return host;
  }
}
