import type { BatchContext, Projection, ProjectionContext, RecordedEvent } from '@vnet/events';
import { bumpHostPorts, HostPortBumps, hostPortBumpsStatement } from '../desired-state/host-port-revisions.js';
import type { DcnEvent } from './dcn.decider.js';

interface DcnRow {
  id: string;
  name: string;
  host_id: string;
  migrating_to: string | null;
  nics: unknown[];
  created_position: number;
}

export class DcnProjection implements Projection {
  readonly name = 'dcns';
  /** Its own table; the host ports revisions it bumps are additions, as the hosts projection's are. */
  readonly reads = [];
  /**
   * Not `host_port_revisions`: revisions must only grow (hosts refuse an older value over a newer one),
   * and migrations under way bump it too. Replaying bumps it further, which only makes revisions
   * larger; hosts re-apply the same ports as a no-op.
   */
  readonly tables = ['dcns'];

  /** A batch's DCNs are read once, changed here and written once; the hosts' bumps are summed. */
  async applyBatch(events: readonly RecordedEvent[], { client, write, kept }: BatchContext): Promise<void> {
    const mine = events.filter((e) => e.streamId.startsWith('dcn-')) as unknown as Array<DcnEvent & { position: number }>;
    if (mine.length === 0) return;
    // Attaches alone, projected inline, in one statement; a rebuild keeps its rows from batch to batch instead.
    if (!kept && mine.every((e) => e.type === 'NicAttached'))
      return this.attachBatch(mine as Array<Extract<DcnEvent, { type: 'NicAttached' }>>, write);
    const created = new Set(mine.filter((e) => e.type === 'DcnCreated').map((e) => e.data.id));
    const dcns = new Map<string, DcnRow>();
    // A rebuild keeps the rows the last batch held (as written): a DCN whose events go on past a page is not read back.
    const last = kept?.get(this.name) as Map<string, DcnRow> | undefined;
    const existing = [
      ...new Set(mine.filter((e) => e.type !== 'OpaqueDataPut' && e.type !== 'OpaqueDataDeleted').map((e) => e.data.id)),
    ].filter((id) => {
      if (created.has(id)) return false;
      const row = last?.get(id);
      if (row) dcns.set(id, row);
      return !row;
    });
    kept?.set(this.name, dcns);
    if (existing.length) {
      const { rows } = await client.query<DcnRow>(
        'SELECT id, name, host_id, migrating_to, nics, created_position FROM dcns WHERE id = ANY($1::uuid[]) FOR UPDATE',
        [existing],
      );
      for (const r of rows) dcns.set(r.id, r);
    }
    const changed = new Set<string>();
    const bumps = new HostPortBumps();
    const change = (id: string, patch: (row: DcnRow) => void) => {
      const row = dcns.get(id);
      if (!row) return;
      patch(row);
      changed.add(id);
    };
    for (const e of mine) {
      switch (e.type) {
        case 'DcnCreated':
          dcns.set(e.data.id, {
            id: e.data.id,
            name: e.data.name,
            host_id: e.data.hostId,
            migrating_to: null,
            nics: [],
            created_position: e.position,
          });
          changed.add(e.data.id);
          break;
        case 'NicAttached':
          change(e.data.id, (row) => row.nics.push(e.data.nic));
          bumps.bump(e.data.hostId);
          break;
        case 'DcnMigrationStarted':
          change(e.data.id, (row) => (row.migrating_to = e.data.to));
          bumps.bump(e.data.to);
          break;
        case 'DcnMigrated':
          // The target's ports change only for a move an older log recorded as started (see apply).
          if (dcns.get(e.data.id)?.migrating_to) bumps.bump(e.data.to);
          change(e.data.id, (row) => Object.assign(row, { host_id: e.data.to, migrating_to: null }));
          bumps.bump(e.data.from);
          break;
        case 'DcnMigrationAborted':
          change(e.data.id, (row) => (row.migrating_to = null));
          bumps.bump(e.data.to);
          break;
        case 'OpaqueDataPut':
        case 'OpaqueDataDeleted':
          for (const hostId of e.data.hostIds) bumps.bump(hostId);
          break;
      }
    }
    if (changed.size) {
      write(
        `INSERT INTO dcns (id, name, host_id, migrating_to, nics, created_position)
         SELECT id, name, host_id, migrating_to, nics, created_position
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, name text, host_id text, migrating_to text, nics jsonb, created_position bigint)
         ON CONFLICT (id) DO UPDATE SET host_id = EXCLUDED.host_id, migrating_to = EXCLUDED.migrating_to, nics = EXCLUDED.nics`,
        [JSON.stringify([...changed].map((id) => dcns.get(id)))],
      );
    }
    const bump = hostPortBumpsStatement(bumps);
    if (bump) write(bump.text, bump.values);
  }

  /**
   * A batch of NIC attaches only (an attach batch's transaction, most of a rebuild's pages): each
   * DCN's NICs appended and the hosts' revisions bumped, in one statement.
   */
  private attachBatch(events: ReadonlyArray<Extract<DcnEvent, { type: 'NicAttached' }>>, write: BatchContext['write']): void {
    const nics = new Map<string, unknown[]>();
    const bumps = new HostPortBumps();
    for (const e of events) {
      nics.set(e.data.id, [...(nics.get(e.data.id) ?? []), e.data.nic]);
      bumps.bump(e.data.hostId);
    }
    const rows = [...nics].map(([id, list]) => ({ id, nics: list }));
    const bump = hostPortBumpsStatement(
      bumps,
      2,
      `attached AS (UPDATE dcns d SET nics = d.nics || a.nics FROM jsonb_to_recordset($1::jsonb) AS a(id uuid, nics jsonb) WHERE d.id = a.id)`,
    )!;
    write(bump.text, [JSON.stringify(rows), ...bump.values]);
  }

  async apply(event: RecordedEvent, { client }: ProjectionContext): Promise<void> {
    if (!event.streamId.startsWith('dcn-')) return;
    const e = event as unknown as DcnEvent;
    switch (e.type) {
      case 'DcnCreated':
        await client.query('INSERT INTO dcns (id, name, host_id, created_position) VALUES ($1, $2, $3, $4)', [
          e.data.id,
          e.data.name,
          e.data.hostId,
          event.position,
        ]);
        return;
      case 'NicAttached':
        await client.query(
          `WITH attached AS (UPDATE dcns SET nics = nics || $2::jsonb WHERE id = $1)
           INSERT INTO host_port_revisions (host_id, revision) VALUES ($3, 1)
           ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + 1`,
          [e.data.id, JSON.stringify([e.data.nic]), e.data.hostId],
        );
        return;
      // Recorded by older logs only (a migration under way is a `dcn_migrations` row now).
      case 'DcnMigrationStarted':
        await client.query('UPDATE dcns SET migrating_to = $2 WHERE id = $1', [e.data.id, e.data.to]);
        await bumpHostPorts(client, e.data.to);
        return;
      case 'DcnMigrated':
        // The source's ports revision moves on. The target's does not: it has run the DCN's ports
        // since its migration started (`dcn_migrations`), so they do not change with the move, and
        // putting them again would cost the target a write, a round trip and an outcome for nothing.
        // Only a move an older log recorded as started (`migrating_to`, not in the target's ports)
        // changes them. Hosts bumped in one order, so that two moves between the same hosts in
        // opposite directions never deadlock.
        await client.query(
          `WITH moved AS (
             UPDATE dcns d SET host_id = $2, migrating_to = NULL
             FROM (SELECT id, migrating_to FROM dcns WHERE id = $1) AS old WHERE d.id = old.id
             RETURNING old.migrating_to)
           INSERT INTO host_port_revisions (host_id, revision)
           SELECT host_id, 1 FROM (SELECT $3::text AS host_id UNION ALL SELECT $2 FROM moved WHERE migrating_to IS NOT NULL) AS h
           ORDER BY host_id
           ON CONFLICT (host_id) DO UPDATE SET revision = host_port_revisions.revision + 1`,
          [e.data.id, e.data.to, e.data.from],
        );
        return;
      // Older logs, and the abort at boot of a migration an older log left started.
      case 'DcnMigrationAborted':
        await client.query('UPDATE dcns SET migrating_to = NULL WHERE id = $1', [e.data.id]);
        await bumpHostPorts(client, e.data.to);
        return;
      case 'OpaqueDataPut':
      case 'OpaqueDataDeleted':
        for (const hostId of e.data.hostIds) await bumpHostPorts(client, hostId);
        return;
    }
  }
}
