import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { EventLog, poolOf } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';
import { HostAggregate, hostDecider } from '../hosts/host.decider.js';
import type { SwitchState } from '../switches/switch.decider.js';
import { type LapseCandidate, lapseCandidates } from './override-lapse.js';

/**
 * Clears, after the change that makes them lapse, the overrides of a switch's repaired hosts (one
 * event per host, recorded as the system's), and publishes those hosts' ports desired state.
 */
@Injectable()
export class OverrideLapseReactor implements OnModuleInit {
  private readonly logger = new Logger('OverrideLapse');
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dataSource: DataSource,
    private readonly ports: HostPortsPublisher,
  ) {}

  onModuleInit(): void {
    this.log.onCommitted((events) => {
      for (const candidate of lapseCandidates(events)) this.queue = this.queue.then(() => this.lapse(candidate));
    });
  }

  private async lapse({ switchId, portGroupId }: LapseCandidate): Promise<void> {
    try {
      const pool = poolOf(this.dataSource);
      const { rows: hosts } = await pool.query<{ host_id: string }>('SELECT DISTINCT host_id FROM host_port_overrides WHERE switch_id = $1', [switchId]);
      if (hosts.length === 0) return;
      if (portGroupId !== null) {
        const { rows } = await pool.query<{ state: SwitchState }>('SELECT state FROM switches WHERE id = $1', [switchId]);
        if (!rows[0]?.state.portGroups.some((pg) => pg.id === portGroupId && pg.management)) return;
      }
      const reason = portGroupId ? `management port group ${portGroupId} changed again` : 'the switch state was put back';
      for (const { host_id: hostId } of hosts) {
        await this.log.execute(
          HostAggregate,
          hostId,
          { correlationId: randomUUID(), causationId: null, actor: 'system' },
          (state) => hostDecider.decide({ type: 'ClearHostPortOverrides', hostId, switchId, reason }, state),
          () => undefined,
        );
        await this.ports.publish(hostId);
      }
    } catch (err) {
      this.logger.error({ msg: 'could not clear lapsed port overrides', switchId, error: String((err as Error).message) });
    }
  }
}
