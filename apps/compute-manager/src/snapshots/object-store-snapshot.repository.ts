import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { type ObjectInfo, type ObjectStore, Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureReplicas, NATS_CONNECTION, requireNats, SERVICE_CONFIG } from '@vnet/events';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';
import type { SnapshotDocument } from './snapshot-document.js';
import type { SnapshotRepository, SnapshotSummary, StoredSnapshot } from './snapshot.repository.js';

/** The JetStream object store that holds switch snapshots, one object per snapshot, named by its id. */
export const SNAPSHOT_BUCKET = 'vnet-snapshots';

export const snapshotLocation = (id: string): string => `nats-object://${SNAPSHOT_BUCKET}/${id}`;

/** Snapshots in a JetStream object store: they outlive the compute manager's database. Ensured at boot. */
@Injectable()
export class ObjectStoreSnapshotRepository implements SnapshotRepository, OnModuleInit {
  private store!: ObjectStore;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // NATS_REPLICAS (CONTRACT §1); a store made with another count is scaled to it.
    const replicas = this.config.NATS_REPLICAS;
    this.store = await new Objm(this.nc).create(SNAPSHOT_BUCKET, { replicas, description: 'vnet switch snapshots' });
    await ensureReplicas(await jetstreamManager(this.nc), `OBJ_${SNAPSHOT_BUCKET}`, replicas);
  }

  async save(doc: SnapshotDocument): Promise<SnapshotSummary> {
    requireNats(this.nc, 'writing a snapshot');
    const summary: SnapshotSummary = {
      id: doc.id,
      switchId: doc.switch.id,
      revision: doc.switch.revision,
      createdAt: doc.createdAt,
      location: snapshotLocation(doc.id),
    };
    await this.store.putBlob(
      {
        name: doc.id,
        description: `snapshot of switch ${doc.switch.id} at revision ${doc.switch.revision}`,
        metadata: {
          switchId: summary.switchId,
          revision: String(summary.revision),
          createdAt: summary.createdAt,
          schemaVersion: String(doc.schemaVersion),
        },
      },
      new TextEncoder().encode(JSON.stringify(doc)),
    );
    return summary;
  }

  async read(id: string): Promise<Uint8Array | null> {
    requireNats(this.nc, 'reading a snapshot');
    return this.store.getBlob(id);
  }

  async list(): Promise<StoredSnapshot[]> {
    requireNats(this.nc, 'listing snapshots');
    const infos = await this.store.list();
    return infos.filter((info) => !info.deleted).map((info) => ({ id: info.name, ...summaryOf(info) }));
  }

  location(id: string): string {
    return snapshotLocation(id);
  }
}

/** The summary stored with an object, when it is one this repository wrote. */
function summaryOf(info: ObjectInfo): { summary?: SnapshotSummary } {
  const m = info.metadata ?? {};
  const revision = Number(m.revision);
  if (!m.switchId || !m.createdAt || !Number.isInteger(revision)) return {};
  return {
    summary: { id: info.name, switchId: m.switchId, revision, createdAt: m.createdAt, location: snapshotLocation(info.name) },
  };
}
