import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { EventLog, requestContext } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import type { HostOutcome } from '../tasks/task.js';
import { TasksService } from '../tasks/tasks.service.js';
import { restoreTo, switchStateAt } from './switch-history.js';
import { SwitchChanges } from './switch-changes.js';

/** The switch moved past the rolled-back revision meanwhile: a newer change, or the revert itself. */
class Superseded extends Error {}

/**
 * §6.4, the compute manager's part: one host's `rolled_back` returns the switch, on every host, to
 * the state it had before that change, as a new revision recorded with who (the host) and why. Only
 * while the rolled-back revision is still the switch's latest: a second host rolling back the same
 * change, or a change made since, leaves it as it is. Outcomes of one switch are handled in order.
 */
@Injectable()
export class SwitchRollbackReactor implements OnModuleInit {
  private readonly logger = new Logger('SwitchRollback');
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly tasks: TasksService,
    private readonly changes: SwitchChanges,
  ) {}

  onModuleInit(): void {
    this.tasks.onOutcome((o) => {
      if (o.kind !== 'switch' || o.state !== 'rolled_back') return;
      const next = (this.queues.get(o.targetId) ?? Promise.resolve()).then(() => this.revert(o));
      this.queues.set(o.targetId, next);
      void next.finally(() => this.queues.get(o.targetId) === next && this.queues.delete(o.targetId));
    });
  }

  private async revert(o: HostOutcome): Promise<void> {
    const switchId = o.targetId;
    try {
      const previous = await switchStateAt(this.log, switchId, o.restoredRevision ?? o.revision - 1);
      if (!previous) return this.logger.warn({ msg: 'rolled-back switch has no earlier state to return to', switchId, revision: o.revision });
      const reason = o.detail ?? 'the host rolled the change back';
      const { taskId, state } = await requestContext.run({ correlationId: randomUUID(), actor: `host:${o.hostId}` }, () =>
        this.changes.change(switchId, 'switch.rollback', (current) => {
          if (current.revision !== o.revision) throw new Superseded();
          return restoreTo(previous, { kind: 'rollback', revision: o.revision, hostId: o.hostId, reason }, []);
        }),
      );
      this.logger.log({ msg: 'switch returned to its state before a rolled-back change', switchId, rolledBack: o.revision, revision: state.revision, hostId: o.hostId, taskId });
    } catch (err) {
      if (err instanceof Superseded) return;
      this.logger.error({ msg: 'could not return a rolled-back switch to its earlier state', switchId, error: String((err as Error).message) });
    }
  }
}
