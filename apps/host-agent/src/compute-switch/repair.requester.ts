import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { type ManagementRepairReply, type ManagementRepairRequest, managementRepairSubject } from '@vnet/contracts';
import { HOST_NATS, type HostNats } from '../common/host-nats.js';
import type { HeartbeatTarget } from '../link/heartbeat.sender.js';
import type { RepairChannel } from './management-repair.js';

/**
 * Hosts' management repair requests to the compute manager: a core NATS request through the
 * host's link. A cut link sends nothing, and a reply that crossed a cut (the link's epoch moved)
 * did not come back through it.
 */
@Injectable()
export class RepairRequester implements RepairChannel {
  private nc: NatsConnection | null = null;

  constructor(@Inject(HOST_NATS) nats: HostNats) {
    void nats.connected().then((nc) => (this.nc = nc));
  }

  async request(target: HeartbeatTarget, request: ManagementRepairRequest, timeoutMs: number): Promise<ManagementRepairReply | null> {
    const nc = this.nc;
    if (!nc || nc.isClosed() || !target.link.flows) return null;
    const epoch = target.link.epoch;
    try {
      const msg = await nc.request(managementRepairSubject(target.id), JSON.stringify(request), { timeout: timeoutMs });
      if (!target.link.flows || target.link.epoch !== epoch) return null;
      const reply = msg.json<ManagementRepairReply>();
      return reply && typeof reply.ok === 'boolean' ? reply : null;
    } catch {
      return null;
    }
  }
}
