import type { Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import { type SwitchEvent, switchDecider, type SwitchState } from './switch.decider.js';

/** Switches as documents (their state folded by the decider), and port group → switch. */
export class SwitchProjection implements Projection {
  readonly name = 'switches';
  readonly tables = ['switches', 'port_groups'];

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
