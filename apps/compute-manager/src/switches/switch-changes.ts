import { Inject, Injectable } from '@nestjs/common';
import { afterCommit, commandMetadata, EventLog, type SqlClient } from '@vnet/events';
import { SwitchDesiredPublisher } from '../desired-state/switch-desired.publisher.js';
import { TasksService } from '../tasks/tasks.service.js';
import { type SwitchCommand, SwitchAggregate, switchDecider, type SwitchState } from './switch.decider.js';

/** What one change of a switch answers: the state after it, its task, and whether it changed anything. */
export interface SwitchChange {
  state: SwitchState;
  taskId: string;
  changed: boolean;
}

/**
 * One change of a switch: decide and append it with a task over its hosts in one transaction,
 * then push the final state once. A change that changes nothing gets a task that is done. Every
 * writer of a switch (its own endpoints, snapshot restores) goes through here.
 */
@Injectable()
export class SwitchChanges {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly tasks: TasksService,
    private readonly publisher: SwitchDesiredPublisher,
  ) {}

  /**
   * `command` is built from the switch's current state inside the transaction; `taskHosts` are the
   * hosts the task waits for (by default the switch's members after the change).
   */
  async change(
    id: string,
    kind: string,
    command: (state: SwitchState, client: SqlClient) => SwitchCommand | Promise<SwitchCommand>,
    taskHosts?: string[],
  ): Promise<SwitchChange> {
    const { state, task, changed } = await this.log.execute(
      SwitchAggregate,
      id,
      commandMetadata(),
      async (state, _version, tx) => switchDecider.decide(await command(state, tx.client), state),
      async (state, _version, recorded, tx) => {
        const hosts = taskHosts ?? state.hostIds;
        const changed = recorded.length > 0;
        const task = await this.tasks.create(
          tx.client,
          kind,
          hosts,
          { kind: 'switch', targetId: id, revision: state.revision },
          !changed,
        );
        return { state, task, changed };
      },
    );
    this.tasks.activate(task);
    // Committed: the log's path (switches.handlers) publishes it again should this fail, NATS being down.
    if (changed) await afterCommit('switch desired state', () => this.publisher.publish(id, state));
    return { state, taskId: task.id, changed };
  }
}
