import { Inject, Injectable } from '@nestjs/common';
import { EventLog, type EventLogTransaction, type EventMetadata, VersionConflictError } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import type { Task } from '../tasks/task.js';
import { TasksService } from '../tasks/tasks.service.js';
import { decideAttaches } from './attach-batch.js';
import { Batcher, type Settled } from './batcher.js';
import { DcnAggregate, type DcnState, type Nic } from './dcn.decider.js';
import { DcnReadModel } from './dcn.read-model.js';
import { DcnMigrations } from './dcn-migrations.repository.js';
import type { AttachNicDto } from './dto/dcn.dto.js';

export interface AttachRequest {
  dcnId: string;
  dto: AttachNicDto;
  /** The request's own correlation id and actor: its event carries them, whatever batch it lands in. */
  metadata: EventMetadata;
}

export interface AttachAnswer {
  nic: Nic;
  task: Task;
}

/** Attaches in one transaction at most, and such transactions under way at once at most. */
const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;
/** PostgreSQL's codes for a transaction it aborted to break a deadlock or a serialization cycle. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 20;

/**
 * NIC attaches that arrive together, decided and recorded in one transaction: each DCN's stream
 * lock is taken (in one order) and its state loaded, then what every attach needs to know is read
 * once for the whole batch (port groups, what each host holds of the networks asked for, which
 * DCNs migrate), each attach is decided on its own (a refused one is answered its error and
 * records nothing), and the accepted ones are appended with their tasks and committed once. Each
 * answer is what a lone attach answers; only the work per attach shrinks.
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
    private readonly migrations: DcnMigrations,
    private readonly tasks: TasksService,
  ) {}

  attach(request: AttachRequest): Promise<AttachAnswer> {
    return this.batcher.submit(request);
  }

  private async attachAll(items: AttachRequest[]): Promise<Array<Settled<AttachAnswer>>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.log.transaction((tx) => this.inTransaction(tx, items));
      } catch (err) {
        const retryable =
          err instanceof VersionConflictError ? err.retryable : RETRYABLE_SQLSTATES.has((err as { code?: string })?.code ?? '');
        if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 2 ** attempt)));
      }
    }
  }

  private async inTransaction(tx: EventLogTransaction, items: AttachRequest[]): Promise<Array<Settled<AttachAnswer>>> {
    // Each stream's writer lock, in one order: two batches (or a batch and a migration) never deadlock on them.
    const dcnIds = [...new Set(items.map((i) => i.dcnId))].sort();
    const loaded = new Map<string, { state: DcnState; version: number }>();
    for (const id of dcnIds) {
      await tx.lockStream(this.log.aggregates.streamId(DcnAggregate, id));
      loaded.set(id, await tx.load(DcnAggregate, id));
    }
    // After the locks: a migration that started is seen.
    const [switchOf, migrating] = await Promise.all([
      this.dcns.switchesOfPortGroups(
        tx.client,
        items.flatMap((i) => (i.dto.logicalNetworkId ? [] : [i.dto.portGroupId!])),
      ),
      this.migrations.migrating(tx.client, dcnIds),
    ]);
    const hostOf = (dcnId: string) => loaded.get(dcnId)!.state.hostId;
    const active = (dcnId: string) => loaded.get(dcnId)!.state.status === 'active';
    // Keyed as holdingKey(host, id) names them.
    const [held, members] = await Promise.all([
      this.dcns.heldNetworks(
        tx.client,
        items.flatMap((i) => (active(i.dcnId) && i.dto.logicalNetworkId ? [{ hostId: hostOf(i.dcnId), networkId: i.dto.logicalNetworkId }] : [])),
      ),
      this.dcns.switchMembers(
        tx.client,
        items.flatMap((i) => {
          const switchId = i.dto.portGroupId ? switchOf.get(i.dto.portGroupId) : undefined;
          return active(i.dcnId) && switchId ? [{ hostId: hostOf(i.dcnId), switchId }] : [];
        }),
      ),
    ]);
    const decisions = decideAttaches(
      items,
      new Map([...loaded].map(([id, l]) => [id, l.state])),
      { switchOf, held, members, migrating },
      randomUUID,
    );
    const outcomes: Array<Settled<AttachAnswer>> = decisions.map((d) => (d.ok ? { ok: false, error: new Error('not recorded') } : d));

    // The accepted ones appended, by host then DCN: the hosts' port revisions are bumped in one order.
    const accepted = items.flatMap((item, i) => {
      const d = decisions[i];
      return d.ok ? [{ item, i, nic: d.nic }] : [];
    });
    accepted.sort((a, b) => cmp(hostOf(a.item.dcnId), hostOf(b.item.dcnId)) || cmp(a.item.dcnId, b.item.dcnId) || a.i - b.i);
    for (const { item, nic } of accepted) {
      const at = loaded.get(item.dcnId)!;
      const { state, version } = await tx.appendTo(
        DcnAggregate,
        item.dcnId,
        at,
        [{ type: 'NicAttached', data: { id: item.dcnId, hostId: at.state.hostId, nic } }],
        item.metadata,
      );
      loaded.set(item.dcnId, { state, version });
    }
    const revisions = await this.revisions(tx, [...new Set(accepted.map((a) => hostOf(a.item.dcnId)))]);
    for (const { item, i, nic } of accepted) {
      const hostId = hostOf(item.dcnId);
      const task = await this.tasks.create(tx.client, 'dcn.attach-nic', [hostId], {
        kind: 'ports',
        targetId: hostId,
        revision: revisions.get(hostId) ?? 0,
      });
      outcomes[i] = { ok: true, value: { nic, task } };
    }
    return outcomes;
  }

  /** The hosts' ports revisions in this transaction (after the batch's bumps). */
  private async revisions(tx: EventLogTransaction, hostIds: string[]): Promise<Map<string, number>> {
    if (hostIds.length === 0) return new Map();
    const { rows } = await tx.client.query<{ host_id: string; revision: number }>(
      'SELECT host_id, revision FROM host_port_revisions WHERE host_id = ANY($1::text[])',
      [hostIds],
    );
    return new Map(rows.map((r) => [r.host_id, r.revision]));
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
