import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import type { DcnEvent } from '../dcns/dcn.decider.js';
import type { HostEvent } from '../hosts/host.decider.js';
import type { SwitchState } from '../switches/switch.decider.js';
import { opaqueEntries, opaqueMapKey } from './opaque-map.js';
import { opaqueEntriesOwnedBy, recordOpaqueVersion } from './opaque-entries.table.js';

const SWITCH_SYNCS = new Set(['OpaqueDataPut', 'OpaqueDataDeleted', 'SwitchStateRestored']);
/** Every type it projects, of any stream. */
const PROJECTED = new Set([...SWITCH_SYNCS, 'ModuleDataReported']);

/**
 * Every version of every opaque entry, from the streams that own them: a switch's (its own and its
 * port groups' entries), a DCN's (its ports'), a host's (its own, and what its modules sent up).
 * Runs after the switch projection: a switch's entries are synced from its folded state, which a
 * restore replaces whole.
 */
export class OpaqueProjection implements Projection {
  readonly name = 'opaque-data';
  /** A switch's folded state, at the batch's last event (see `readsEarlierModels`). */
  readonly reads = ['switches'];
  readonly tables = ['opaque_entries'];

  /** A switch's entries are synced from the switch projection's folded state of it. */
  readsEarlierModels(event: RecordedEvent): boolean {
    return event.streamId.startsWith('switch-') && SWITCH_SYNCS.has(event.type);
  }

  /** The batch's events of the types it projects, one by one: most of a rebuild's events are of none. */
  async applyBatch(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void> {
    for (const event of events) if (PROJECTED.has(event.type)) await this.apply(event, context);
  }

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    const at = { position: event.position, recordedAt: event.recordedAt, owner: event.streamId };
    if (event.streamId.startsWith('switch-')) {
      if (!SWITCH_SYNCS.has(event.type)) return;
      const { rows } = await client.query<{ state: SwitchState }>('SELECT state FROM switches WHERE id = $1', [(event.data as { id: string }).id]);
      if (!rows[0]) return;
      const wanted = new Map(opaqueEntries(rows[0].state.opaque).map((e) => [opaqueMapKey(e), e]));
      const live = new Map((await opaqueEntriesOwnedBy(client, event.streamId)).map((e) => [opaqueMapKey(e), e]));
      for (const [k, e] of live) if (!wanted.has(k)) await recordOpaqueVersion(client, at, { ...e, source: '', valueJson: null });
      for (const [k, e] of wanted) if (live.get(k)?.valueJson !== e.valueJson) await recordOpaqueVersion(client, at, { ...e, source: '' });
      return;
    }
    if (!event.streamId.startsWith('dcn-') && !event.streamId.startsWith('host-')) return;
    const e = event as unknown as DcnEvent | HostEvent;
    switch (e.type) {
      case 'OpaqueDataPut':
        await recordOpaqueVersion(client, at, { source: '', entity: e.data.entity, namespace: e.data.namespace, key: e.data.key, valueJson: e.data.valueJson });
        return;
      case 'OpaqueDataDeleted':
        await recordOpaqueVersion(client, at, { source: '', entity: e.data.entity, namespace: e.data.namespace, key: e.data.key, valueJson: null });
        return;
      case 'ModuleDataReported':
        await recordOpaqueVersion(client, at, {
          source: e.data.hostId,
          entity: e.data.entity,
          namespace: e.data.namespace,
          key: e.data.key,
          valueJson: e.data.valueJson,
        });
        return;
    }
  }
}
