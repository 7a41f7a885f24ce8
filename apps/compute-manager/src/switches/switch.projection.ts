import type { BatchContext, Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import { type SwitchEvent, switchDecider, type SwitchState } from './switch.decider.js';

const FOLDED = new Set(['SwitchHostAdded', 'PortGroupAdded', 'PortGroupReconfigured', 'SwitchStateRestored', 'OpaqueDataPut', 'OpaqueDataDeleted']);

/** Switches as documents (their state folded by the decider), and port group → switch. */
export class SwitchProjection implements Projection {
  readonly name = 'switches';
  readonly reads = [];
  readonly tables = ['switches', 'port_groups'];

  /**
   * A batch's switches are read once, folded here and written once; port groups added to a switch
   * are inserted, and a restored switch's port groups are made those of its folded state.
   */
  async applyBatch(events: readonly RecordedEvent[], { client, write, kept }: BatchContext): Promise<void> {
    const mine = events.filter((e) => e.streamId.startsWith('switch-') && (e.type === 'SwitchCreated' || FOLDED.has(e.type))) as unknown as Array<
      SwitchEvent & { position: number }
    >;
    if (mine.length === 0) return;
    const created = new Set(mine.filter((e) => e.type === 'SwitchCreated').map((e) => e.data.id));
    const states = new Map<string, SwitchState>();
    // A rebuild keeps the states the last batch wrote: a switch whose events go on past a page is not read back.
    const last = kept?.get(this.name) as Map<string, SwitchState> | undefined;
    const existing = [...new Set(mine.map((e) => e.data.id))].filter((id) => {
      if (created.has(id)) return false;
      const state = last?.get(id);
      if (state) states.set(id, state);
      return !state;
    });
    kept?.set(this.name, states);
    if (existing.length) {
      const { rows } = await client.query<{ id: string; state: SwitchState }>('SELECT id, state FROM switches WHERE id = ANY($1::uuid[]) FOR UPDATE', [existing]);
      for (const r of rows) states.set(r.id, r.state);
    }
    const createdAt = new Map<string, number>();
    const added: Array<{ id: string; switch_id: string }> = [];
    const restored = new Set<string>();
    for (const e of mine) {
      if (e.type === 'SwitchCreated') {
        states.set(e.data.id, switchDecider.evolve(switchDecider.initialState(), e));
        createdAt.set(e.data.id, e.position);
        continue;
      }
      const state = states.get(e.data.id);
      if (!state) continue;
      states.set(e.data.id, switchDecider.evolve(state, e));
      if (e.type === 'PortGroupAdded') added.push({ id: e.data.portGroup.id, switch_id: e.data.id });
      if (e.type === 'SwitchStateRestored') restored.add(e.data.id);
    }
    const rows = [...states].map(([id, state]) => ({ id, state, created_position: createdAt.get(id) ?? 0 }));
    write(
      `INSERT INTO switches (id, state, created_position)
       SELECT id, state, created_position FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, state jsonb, created_position bigint)
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state`,
      [JSON.stringify(rows)],
    );
    const plain = added.filter((pg) => !restored.has(pg.switch_id));
    if (plain.length) {
      write(
        'INSERT INTO port_groups (id, switch_id) SELECT id, switch_id FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, switch_id uuid)',
        [JSON.stringify(plain)],
      );
    }
    if (restored.size) {
      const ids = [...restored];
      const kept = ids.flatMap((id) => states.get(id)!.portGroups.map((pg) => ({ id: pg.id, switch_id: id })));
      write('DELETE FROM port_groups WHERE switch_id = ANY($1::uuid[]) AND NOT (id = ANY($2::uuid[]))', [ids, kept.map((pg) => pg.id)]);
      write(
        `INSERT INTO port_groups (id, switch_id) SELECT id, switch_id FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, switch_id uuid)
         ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(kept)],
      );
    }
  }

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    // Opaque data events of other streams (a DCN's, a host's) share their types with a switch's.
    if (!event.streamId.startsWith('switch-')) return;
    const e = event as unknown as SwitchEvent;
    switch (e.type) {
      case 'SwitchCreated': {
        const state = switchDecider.evolve(switchDecider.initialState(), e);
        await client.query('INSERT INTO switches (id, state, created_position) VALUES ($1, $2, $3)', [e.data.id, JSON.stringify(state), event.position]);
        return;
      }
      case 'SwitchHostAdded':
      case 'PortGroupAdded':
      case 'PortGroupReconfigured':
      case 'SwitchStateRestored':
      case 'OpaqueDataPut':
      case 'OpaqueDataDeleted': {
        const { rows } = await client.query<{ state: SwitchState }>('SELECT state FROM switches WHERE id = $1 FOR UPDATE', [e.data.id]);
        if (!rows[0]) return;
        const state = switchDecider.evolve(rows[0].state, e);
        await client.query('UPDATE switches SET state = $2 WHERE id = $1', [e.data.id, JSON.stringify(state)]);
        if (e.type === 'PortGroupAdded') {
          await client.query('INSERT INTO port_groups (id, switch_id) VALUES ($1, $2)', [e.data.portGroup.id, e.data.id]);
        }
        if (e.type === 'SwitchStateRestored') {
          const ids = e.data.portGroups.map((pg) => pg.id);
          await client.query('DELETE FROM port_groups WHERE switch_id = $1 AND NOT (id = ANY($2::uuid[]))', [e.data.id, ids]);
          await client.query('INSERT INTO port_groups (id, switch_id) SELECT unnest($2::uuid[]), $1 ON CONFLICT (id) DO NOTHING', [e.data.id, ids]);
        }
        return;
      }
    }
  }
}
