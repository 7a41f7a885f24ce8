import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SwitchDesired } from '@vnet/contracts';
import { NotFoundError } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { ComputeDesiredStateBuckets } from '../desired-state/desired-state.buckets.js';
import { unknownHostIds } from '../hosts/host.read-model.js';
import { SwitchChanges } from '../switches/switch-changes.js';
import { SwitchesService } from '../switches/switches.service.js';
import { planRestore, restoreTarget, type RestoreTargetInput } from './restore-plan.js';
import { parseSnapshotDocument, type SnapshotDocument, snapshotDocument } from './snapshot-document.js';
import { SnapshotInvalidError } from './snapshot-invalid.error.js';
import { SNAPSHOT_REPOSITORY, type SnapshotRepository, type SnapshotSummary } from './snapshot.repository.js';

export type SnapshotDetail = SnapshotSummary &
  Pick<SnapshotDocument, 'schema' | 'schemaVersion' | 'switch' | 'overrides' | 'opaque'>;

/**
 * Switch snapshots (§6.6): written to storage of their own, read back whole and validated before a
 * restore decides anything, restored as one change of the target switch (events, a task, a push).
 */
@Injectable()
export class SnapshotsService {
  private readonly logger = new Logger('Snapshots');

  constructor(
    @Inject(SNAPSHOT_REPOSITORY) private readonly repository: SnapshotRepository,
    private readonly switches: SwitchesService,
    private readonly changes: SwitchChanges,
    private readonly buckets: ComputeDesiredStateBuckets,
  ) {}

  async create(switchId: string): Promise<SnapshotSummary> {
    const { view, opaque } = await this.switches.withOpaque(switchId);
    return this.repository.save(snapshotDocument(randomUUID(), new Date(), view, opaque));
  }

  /** Oldest first. An object that is not a readable snapshot is left out of the list (and refused by its own id). */
  async list(): Promise<SnapshotSummary[]> {
    const stored = await this.repository.list();
    const summaries = await Promise.all(
      stored.map(async (s) => {
        if (s.summary) return s.summary;
        try {
          const doc = await this.document(s.id);
          return {
            id: doc.id,
            switchId: doc.switch.id,
            revision: doc.switch.revision,
            createdAt: doc.createdAt,
            location: this.repository.location(doc.id),
          };
        } catch (err) {
          if (!(err instanceof SnapshotInvalidError || err instanceof NotFoundError)) throw err;
          this.logger.warn({
            msg: 'unreadable snapshot left out of the list',
            snapshotId: s.id,
            problem: (err as Error).message,
          });
          return null;
        }
      }),
    );
    return summaries
      .filter((s): s is SnapshotSummary => s !== null)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<SnapshotDetail> {
    const doc = await this.document(id);
    const { schema, schemaVersion, switch: sw, overrides, opaque } = doc;
    const location = this.repository.location(id);
    return {
      id,
      switchId: sw.id,
      revision: sw.revision,
      createdAt: doc.createdAt,
      location,
      schema,
      schemaVersion,
      switch: sw,
      overrides,
      opaque,
    };
  }

  /**
   * The target is checked, then the whole document, before anything is decided: a document that
   * fails is refused (422) and nothing is recorded or pushed.
   */
  async restore(id: string, input: RestoreTargetInput): Promise<{ taskId: string; switchId: string }> {
    const target = restoreTarget(input);
    const doc = await this.document(id);
    const plan = planRestore(doc, target, randomUUID);
    const { taskId } = await this.changes.change(plan.switchId, 'snapshot.restore', async (state, client) => ({
      type: 'RestoreSwitchState',
      id: plan.switchId,
      cause: { kind: 'snapshot', snapshotId: doc.id },
      hostIds: plan.hostIds ?? state.hostIds,
      portGroups: plan.portGroups,
      unknownHostIds: plan.hostIds ? await unknownHostIds(client, plan.hostIds) : [],
      ...(plan.create ? { create: plan.create } : {}),
      ...(plan.opaque ? { opaque: plan.opaque } : {}),
      // Its own switch, lost with the database: its hosts still run the revision they last had.
      ...(target.mode === 'same' && state.status === 'none'
        ? { revisionAbove: Math.max(doc.switch.revision, await this.heldRevision(plan.switchId)) }
        : {}),
    }));
    return { taskId, switchId: plan.switchId };
  }

  private async document(id: string): Promise<SnapshotDocument> {
    const bytes = await this.repository.read(id);
    if (!bytes) throw new NotFoundError('snapshot', id);
    return parseSnapshotDocument(id, bytes);
  }

  /** The revision of the switch's final state in the bucket its hosts watch (0 when none). */
  private async heldRevision(switchId: string): Promise<number> {
    const entry = await this.buckets.switches.get(switchId);
    if (!entry?.value.length) return 0;
    try {
      return entry.json<SwitchDesired>().revision ?? 0;
    } catch {
      return 0;
    }
  }
}
