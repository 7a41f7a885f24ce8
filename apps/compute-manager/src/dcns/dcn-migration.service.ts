import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { commandMetadata, currentContext, EventLog, SERVICE_CONFIG } from '@vnet/events';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';
import { TasksService } from '../tasks/tasks.service.js';
import { DcnAggregate, dcnDecider, type DcnState, missingOnTarget } from './dcn.decider.js';
import { DcnReadModel } from './dcn.read-model.js';
import { dcnView } from './dcn.view.js';
import { DcnMigrations } from './dcn-migrations.repository.js';
import { DcnWriter } from './dcn-writer.js';
import type { DcnView } from './dto/dcn.dto.js';
import { HostTimeoutError } from './host-timeout.error.js';
import { MigrationMetrics } from './migration.metrics.js';

/**
 * Migration of a DCN, target first, then source. The migration under way is a `dcn_migrations` row
 * (operational state, like a task), which gives the target the DCN's ports; once the target realized
 * them, the move is recorded (`DcnMigrated`, the only event a migration records) and the source drops
 * its own. A target that does not answer in time gets its ports taken back and nothing is recorded;
 * a migration a restart interrupted is aborted the same way at boot.
 */
@Injectable()
export class DcnMigrationService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DcnMigration');

  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly writer: DcnWriter,
    private readonly dcns: DcnReadModel,
    private readonly migrations: DcnMigrations,
    private readonly tasks: TasksService,
    private readonly ports: HostPortsPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig,
    private readonly metrics: MigrationMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const reason = 'interrupted by a restart of the compute manager';
    for (const { dcnId } of await this.migrations.all()) {
      await this.abort(dcnId, reason).catch((err: Error) =>
        this.logger.error({ msg: 'could not abort an interrupted migration', dcnId, error: String(err.message) }),
      );
    }
    // A migration an older log recorded as started (before migrations were operational state).
    for (const { id, migratingTo: target } of await this.dcns.migrating()) {
      try {
        await this.writer.decide(id, async () => ({ type: 'AbortMigration', id, reason }));
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
    const source = await this.start(dcnId, targetHostId);
    let moved: { state: DcnState; position: number };
    try {
      const targetRevision = await this.ports.publish(targetHostId);
      const arrived = await this.tasks.waitForOutcome(
        targetHostId,
        'ports',
        targetHostId,
        targetRevision,
        this.config.MIGRATION_TIMEOUT_MS,
      );
      if (!arrived || arrived.state !== 'applied') throw new HostTimeoutError(targetHostId, 'realize the DCN ports');
      moved = await this.complete(dcnId, targetHostId);
    } catch (err) {
      await this.abort(dcnId, String((err as Error)?.message ?? err)).catch((abortErr: Error) =>
        this.logger.error({ msg: 'could not abort a failed migration', dcnId, error: String(abortErr.message) }),
      );
      throw err;
    }
    // The source's ports lose the DCN's; the target's are those it runs since the start (the move
    // does not change them, see the projection): only the source's are put, with the move, so the
    // log's path has nothing left to put for it.
    const published = this.ports.publishMany(
      new Map([[source, currentContext()?.correlationId]]),
      new Map([[source, moved.position ? [moved.position] : []]]),
    );
    if (moved.position) this.ports.unchangedBy(moved.position, targetHostId);
    const sourceRevision = await published.get(source)!;
    const removed = await this.tasks.waitForOutcome(source, 'ports', source, sourceRevision, this.config.MIGRATION_TIMEOUT_MS);
    // The move is recorded: a source that is away drops the ports from its desired state when it returns.
    if (!removed) this.logger.warn({ msg: 'source host did not confirm removing the DCN ports yet', dcnId, hostId: source });
    return dcnView(moved.state);
  }

  /**
   * Checks the migration and records it under way, under the DCN stream's writer lock (so a second
   * migration or a NIC attach waits for it, then sees it): nothing is recorded in the log. Answers the source.
   */
  private start(dcnId: string, targetHostId: string): Promise<string> {
    return this.log.lockedTransaction(DcnAggregate, [dcnId], async (tx, loaded) => {
      const { state } = loaded.get(dcnId)!;
      const active = state.status === 'active';
      // Recorded first, checked next: a refusal throws, and the transaction, rolled back, leaves nothing.
      const checks = await this.migrations.start(tx.client, dcnId, targetHostId, active ? state.nics : []);
      dcnDecider.decide(
        {
          type: 'StartMigration',
          id: dcnId,
          targetHostId,
          targetKnown: checks.targetKnown,
          missingOnTarget: active ? missingOnTarget(state.nics, checks.holdings) : [],
          migrating: checks.migrating,
        },
        state,
      );
      return state.hostId;
    });
  }

  /** Records the move and ends the migration, in one transaction: the DCN moved, and the position of its move. */
  private complete(dcnId: string, targetHostId: string): Promise<{ state: DcnState; position: number }> {
    return this.log.execute(
      DcnAggregate,
      dcnId,
      commandMetadata(),
      async (state, _v, tx) => {
        // Gone: aborted meanwhile (by the boot of another instance); the target's ports were taken back.
        if ((await this.migrations.end(tx.client, dcnId)) !== targetHostId)
          throw new HostTimeoutError(targetHostId, 'realize the DCN ports');
        return dcnDecider.decide({ type: 'CompleteMigration', id: dcnId, targetHostId }, state);
      },
      (state, _v, recorded) => ({ state, position: recorded[0]?.position ?? 0 }),
    );
  }

  /**
   * Ends the migration under way without a move: its target's ports taken back at a new revision.
   * No event records it, so that revision is owed to the target's bucket until it is put: a put that
   * fails here (NATS away) is made again by `OwedHostPorts`, as is one a crash right after the commit
   * never made. The target may already run the DCN's ports: without it, it would keep them.
   */
  private async abort(dcnId: string, reason: string): Promise<void> {
    const target = await this.log.transaction(async (tx) => {
      await tx.lockStream(this.log.aggregates.streamId(DcnAggregate, dcnId));
      return this.migrations.abort(tx.client, dcnId);
    });
    if (!target) return;
    this.logger.warn({ msg: 'migration aborted, ports taken back from the target', dcnId, hostId: target, reason });
    await this.ports
      .publishOwed(target)
      .catch((err: Error) =>
        this.logger.warn({
          msg: 'target ports not put yet: owed, put again by the next turn',
          dcnId,
          hostId: target,
          error: String(err.message),
        }),
      );
  }
}
