import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vnet/events';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';
import { unknownHostIds } from '../hosts/host.read-model.js';
import { TasksService } from '../tasks/tasks.service.js';
import { missingOnTarget } from './dcn.decider.js';
import { DcnReadModel } from './dcn.read-model.js';
import { dcnView } from './dcn.view.js';
import { DcnWriter } from './dcn-writer.js';
import type { DcnView } from './dto/dcn.dto.js';
import { HostTimeoutError } from './host-timeout.error.js';
import { MigrationMetrics } from './migration.metrics.js';

/**
 * Migration of a DCN, target first, then source: the target realizes the DCN's ports, then the move
 * is recorded and the source drops its own. A target that does not answer in time gets its ports
 * taken back and nothing moves; a migration a restart interrupted is aborted the same way.
 */
@Injectable()
export class DcnMigrationService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DcnMigration');

  constructor(
    private readonly writer: DcnWriter,
    private readonly dcns: DcnReadModel,
    private readonly tasks: TasksService,
    private readonly ports: HostPortsPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig,
    private readonly metrics: MigrationMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const { id, migratingTo: target } of await this.dcns.migrating()) {
      try {
        await this.writer.decide(id, async () => ({ type: 'AbortMigration', id, reason: 'interrupted by a restart of the compute manager' }));
        await this.ports.publish(target);
        this.logger.warn({ msg: 'aborted a migration interrupted by a restart', dcnId: id, hostId: target });
      } catch (err) {
        this.logger.error({ msg: 'could not abort an interrupted migration', dcnId: id, error: String((err as Error).message) });
      }
    }
  }

  migrate(dcnId: string, targetHostId: string): Promise<DcnView> {
    return this.metrics.observe(() => this.move(dcnId, targetHostId));
  }

  private async move(dcnId: string, targetHostId: string): Promise<DcnView> {
    const started = await this.writer.decide(dcnId, async (state, client) => ({
      type: 'StartMigration',
      id: dcnId,
      targetHostId,
      targetKnown: (await unknownHostIds(client, [targetHostId])).length === 0,
      missingOnTarget: state.status === 'active' ? missingOnTarget(state.nics, await this.dcns.holdings(client, targetHostId)) : [],
    }));
    const targetRevision = await this.ports.publish(targetHostId);
    const arrived = await this.tasks.waitForOutcome(targetHostId, 'ports', targetHostId, targetRevision, this.config.MIGRATION_TIMEOUT_MS);
    if (!arrived || arrived.state !== 'applied') {
      await this.writer.decide(dcnId, async () => ({ type: 'AbortMigration', id: dcnId, reason: arrived?.detail ?? 'target did not answer' }));
      await this.ports.publish(targetHostId).catch(() => undefined);
      throw new HostTimeoutError(targetHostId, 'realize the DCN ports');
    }
    const moved = await this.writer.decide(dcnId, async () => ({ type: 'CompleteMigration', id: dcnId }));
    const source = started.hostId;
    const sourceRevision = await this.ports.publish(source);
    const removed = await this.tasks.waitForOutcome(source, 'ports', source, sourceRevision, this.config.MIGRATION_TIMEOUT_MS);
    // The move is recorded: a source that is away drops the ports from its desired state when it returns.
    if (!removed) this.logger.warn({ msg: 'source host did not confirm removing the DCN ports yet', dcnId, hostId: source });
    return dcnView(moved);
  }
}
