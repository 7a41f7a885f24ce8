import { Inject, Injectable } from '@nestjs/common';
import { EventLog, type EventLogTransaction, type EventMetadata, type LoadedAggregate, VersionConflictError } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';
import type { Task } from '../tasks/task.js';
import { TasksService } from '../tasks/tasks.service.js';
import { acceptedAttaches, attachLookupsQuery, decideAttaches } from './attach-batch.js';
import { Batcher, type Settled } from './batcher.js';
import { DcnAggregate, type DcnEvent, type DcnState, type Nic } from './dcn.decider.js';
import { DcnReadModel } from './dcn.read-model.js';
import type { AttachNicDto } from './dto/dcn.dto.js';

export interface AttachRequest {
  dcnId: string;
  dto: AttachNicDto;
  /** The request's own correlation id and actor: its event carries them, whatever batch it lands in. */
  metadata: EventMetadata;
}

export interface AttachAnswer {
  nic: Nic;
  /** Its task, already tracked. */
  task: Task;
  /** The put of its host's ports (after the commit, once for every attach of the batch on that host): its revision. */
  published: Promise<number>;
}

/** Attaches in one transaction at most, and such transactions under way at once at most. */
const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;
/** PostgreSQL's codes for a transaction it aborted to break a deadlock or a serialization cycle. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 20;

/**
 * NIC attaches that arrive together, decided and recorded in one transaction: each DCN's stream
 * lock is taken (in one order) and its state loaded, in one round trip; then what every attach
 * needs to know is read in one statement for the whole batch (port groups, what each host holds of
 * the networks asked for, which DCNs migrate), each attach is decided on its own (a refused one is
 * answered its error and records nothing), and the accepted ones are appended in one multi-stream
 * append, projected set-based, their tasks inserted in one statement, and committed once. After
 * the commit the tasks are tracked and each host's ports are read once for the batch and put.
 * Each answer is what a lone attach answers; only the work per attach shrinks.
 */
@Injectable()
export class NicAttacher {
  private readonly batcher = new Batcher<AttachRequest, AttachAnswer>((items) => this.attachAll(items), {
    maxBatch: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
  });

  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dcns: DcnReadModel,
    private readonly tasks: TasksService,
    private readonly ports: HostPortsPublisher,
  ) {}

  attach(request: AttachRequest): Promise<AttachAnswer> {
    return this.batcher.submit(request);
  }

  private async attachAll(items: AttachRequest[]): Promise<Array<Settled<AttachAnswer>>> {
    const dcnIds = [...new Set(items.map((i) => i.dcnId))];
    let recorded: Array<Settled<{ nic: Nic; task: Task; hostId: string; position: number }>>;
    for (let attempt = 1; ; attempt++) {
      try {
        recorded = await this.log.lockedTransaction(DcnAggregate, dcnIds, (tx, loaded) => this.inTransaction(tx, items, loaded));
        break;
      } catch (err) {
        const retryable =
          err instanceof VersionConflictError ? err.retryable : RETRYABLE_SQLSTATES.has((err as { code?: string })?.code ?? '');
        if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 2 ** attempt)));
      }
    }
    // Committed: tracked before their hosts can answer, then each host's ports put once, carrying
    // the correlation id of the batch's first attach on it.
    const hosts = new Map<string, string>();
    const events = new Map<string, number[]>();
    recorded.forEach((r, i) => {
      if (!r.ok) return;
      this.tasks.activate(r.value.task);
      if (!hosts.has(r.value.hostId)) hosts.set(r.value.hostId, items[i].metadata.correlationId);
      events.set(r.value.hostId, [...(events.get(r.value.hostId) ?? []), r.value.position]);
    });
    const published = this.ports.publishMany(hosts, events);
    for (const p of published.values()) p.catch(() => {});
    return recorded.map((r) =>
      r.ok ? { ok: true, value: { nic: r.value.nic, task: r.value.task, published: published.get(r.value.hostId)! } } : r,
    );
  }

  private async inTransaction(
    tx: EventLogTransaction,
    items: AttachRequest[],
    loaded: Map<string, LoadedAggregate<DcnState>>,
  ): Promise<Array<Settled<{ nic: Nic; task: Task; hostId: string; position: number }>>> {
    const states = new Map([...loaded].map(([id, l]) => [id, l.state]));
    // After the locks: a migration that started is seen.
    const lookups = await this.dcns.attachLookups(tx.client, attachLookupsQuery(items, states));
    const decisions = decideAttaches(items, states, lookups, randomUUID);
    const outcomes: Array<Settled<{ nic: Nic; task: Task; hostId: string; position: number }>> = decisions.map((d) =>
      d.ok ? { ok: false, error: new Error('not recorded') } : d,
    );
    const accepted = acceptedAttaches(items, decisions, states);
    if (accepted.length === 0) return outcomes;
    const appended = await tx.appendToMany(
      DcnAggregate,
      loaded,
      accepted.map(({ item, nic, hostId }) => ({
        id: item.dcnId,
        events: [{ type: 'NicAttached', data: { id: item.dcnId, hostId, nic } } satisfies DcnEvent],
        metadata: item.metadata,
      })),
    );
    // Each at its host's ports revision after the batch's bumps.
    const tasks = await this.tasks.createPortsTasks(
      tx.client,
      'dcn.attach-nic',
      accepted.map((a) => a.hostId),
    );
    accepted.forEach(
      ({ index, nic, hostId }, k) =>
        (outcomes[index] = { ok: true, value: { nic, task: tasks[k], hostId, position: appended[k].recorded[0].position } }),
    );
    return outcomes;
  }
}
