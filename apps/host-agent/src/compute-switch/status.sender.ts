import { Inject, Injectable } from '@nestjs/common';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { type HostApplyStatus, hostStatusSubject } from '@vnet/contracts';
import { CORRELATION_ID_HEADER } from '@vnet/events';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';
import type { ManagementLink } from '../link/management-link.js';

/**
 * Sends hosts' apply outcomes to the compute manager, through each host's link (a cut link drops
 * them); an outcome of a traced change carries its correlation id in the header as in the body.
 */
@Injectable()
export class StatusSender {
  private nc: NatsConnection | null = null;

  constructor(@Inject(HOST_NATS) nats: HostNats) {
    void nats.connected().then((nc) => (this.nc = nc));
  }

  send(host: { id: string; link: ManagementLink }, status: Omit<HostApplyStatus, 'hostId' | 'sentAt'>): boolean {
    const nc = this.nc;
    if (!nc || nc.isClosed() || !host.link.flows) return false;
    const message: HostApplyStatus = { hostId: host.id, ...status, sentAt: new Date().toISOString() };
    const traced = message.correlationId ? headers() : undefined;
    if (traced) traced.set(CORRELATION_ID_HEADER, message.correlationId!);
    nc.publish(hostStatusSubject(host.id), JSON.stringify(message), traced ? { headers: traced } : undefined);
    return true;
  }
}
