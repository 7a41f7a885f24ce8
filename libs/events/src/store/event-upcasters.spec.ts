import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import type { DomainEvent } from '../domain/decider.js';
import type { Projection } from '../projections/projection.js';
import type { AggregateType } from './aggregate-store.js';
import type { RecordedEvent } from './event.js';
import { LOG_START } from './event.js';
import { EventLog } from './event-log.js';
import { EventUpcasters, type Upcaster } from './event-upcasters.js';
import { eventStoreDdl } from './schema.js';

// Longer than Jest's 5 s default: each test talks to the real PostgreSQL of the run (on a loaded machine too).
jest.setTimeout(30000);

/** A shape that changed twice: v1 `{name}`, v2 adds `mtu`, v3 renames `name` to `label`. */
type Created = DomainEvent<'Created', { id: string; label: string; mtu: number }>;
const UPCASTERS: Upcaster[] = [
  { type: 'Created', from: 1, upcast: (d: { mtu?: number }) => ({ ...d, mtu: d.mtu ?? 1500 }) },
  { type: 'Created', from: 2, upcast: ({ name, ...d }: { name?: string; label?: string }) => ({ ...d, label: d.label ?? name }) },
];
const Thing: AggregateType<{ label: string; mtu: number }, Created> = {
  category: 'thing',
  snapshotSchema: 'thing-1',
  initialState: () => ({ label: '', mtu: 0 }),
  evolve: (_s, e) => ({ label: e.data.label, mtu: e.data.mtu }),
};
const metadata = { correlationId: 'c', causationId: null, actor: 'test' };

describe('EventUpcasters (pure)', () => {
  const upcasters = new EventUpcasters(UPCASTERS);

  it("knows each type's current version, 1 for a type never changed", () => {
    expect(upcasters.currentVersion('Created')).toBe(3);
    expect(upcasters.currentVersion('Other')).toBe(1);
    expect(EventUpcasters.versionOf({})).toBe(1);
    expect(EventUpcasters.versionOf({ schemaVersion: 2 })).toBe(2);
  });

  it('applies every step from the recorded version on, and none to the current one', () => {
    expect(upcasters.upcast('Created', 1, { id: 'a', name: 'x' })).toEqual({ id: 'a', label: 'x', mtu: 1500 });
    expect(upcasters.upcast('Created', 2, { id: 'a', name: 'x', mtu: 9000 })).toEqual({ id: 'a', label: 'x', mtu: 9000 });
    expect(upcasters.upcast('Created', 3, { id: 'a', label: 'y', mtu: 9000 })).toEqual({ id: 'a', label: 'y', mtu: 9000 });
  });

  it('refuses two steps from one version, and a gap when reading', () => {
    expect(() => new EventUpcasters([UPCASTERS[0], UPCASTERS[0]])).toThrow(/two upcasters/);
    expect(() => new EventUpcasters([UPCASTERS[1]]).upcast('Created', 1, {})).toThrow(/no upcaster of Created from version 1/);
  });
});

/**
 * Old-shaped rows inserted with plain SQL, as an older release recorded them, read back through the
 * store in the current shape: by an aggregate, by a projection during a rebuild, and by `readAll`.
 */
describe('upcasting on read (real PostgreSQL)', () => {
  const schema = uniqueSchema('upcast');
  let dataSource: DataSource;
  let log: EventLog;
  const projected: RecordedEvent[] = [];
  const recorder: Projection = { name: 'recorder', tables: [], apply: async (e) => void projected.push(e) };

  beforeAll(async () => {
    dataSource = new DataSource({ type: 'postgres', url: testServers().databaseUrl, schema, extra: { max: 8 } });
    await dataSource.initialize();
    for (const ddl of eventStoreDdl(schema)) await dataSource.query(ddl);
    const pool = (dataSource.driver as unknown as { master: never }).master;
    log = new EventLog(dataSource, pool, { schema, projections: [recorder], newId: randomUUID, upcasters: UPCASTERS });
  });
  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
    await dataSource.destroy();
  });

  /** An event row as an older release wrote it: `version` in its metadata, or none at all (v1). */
  async function insertOld(id: string, data: unknown, schemaVersion?: number): Promise<void> {
    const meta = schemaVersion ? { ...metadata, schemaVersion } : metadata;
    await dataSource.query(`INSERT INTO ${schema}.streams (stream_id, version) VALUES ($1, 1)`, [`thing-${id}`]);
    await dataSource.query(
      `INSERT INTO ${schema}.events (id, stream_id, version, type, data, metadata) VALUES ($1, $2, 1, 'Created', $3, $4)`,
      [randomUUID(), `thing-${id}`, JSON.stringify(data), JSON.stringify(meta)],
    );
  }

  it("stamps an append with its type's current version, and leaves unchanged types unstamped", async () => {
    const id = randomUUID();
    await log.execute(
      Thing,
      id,
      metadata,
      () => [{ type: 'Created' as const, data: { id, label: 'new', mtu: 1600 } }],
      () => null,
    );
    await log.transaction((tx) => tx.append(`other-${id}`, [{ id: randomUUID(), type: 'Other', data: {}, metadata }], 0));
    const rows = await dataSource.query(
      `SELECT type, metadata FROM ${schema}.events WHERE stream_id IN ($1, $2) ORDER BY position`,
      [`thing-${id}`, `other-${id}`],
    );
    expect(rows.map((r: { type: string; metadata: Record<string, unknown> }) => [r.type, r.metadata.schemaVersion])).toEqual([
      ['Created', 3],
      ['Other', undefined],
    ]);
    expect((await log.load(Thing, id)).state).toEqual({ label: 'new', mtu: 1600 });
  });

  it('reads version-1 and version-2 rows in the current shape: aggregates, readAll, and projections at rebuild', async () => {
    const v1 = randomUUID();
    const v2 = randomUUID();
    await insertOld(v1, { id: v1, name: 'old-one' });
    await insertOld(v2, { id: v2, name: 'old-two', mtu: 9000 }, 2);

    expect((await log.load(Thing, v1)).state).toEqual({ label: 'old-one', mtu: 1500 });
    expect((await log.load(Thing, v2)).state).toEqual({ label: 'old-two', mtu: 9000 });

    const page = await log.store.readAll(LOG_START, 1000, { filter: { objectId: v1 } });
    expect(page.events).toHaveLength(1);
    expect(page.events[0].data).toEqual({ id: v1, label: 'old-one', mtu: 1500 });
    // What it reads as is the current version, which its metadata now names.
    expect(page.events[0].metadata).toEqual({ ...metadata, schemaVersion: 3 });

    projected.length = 0;
    const { events } = await log.rebuild();
    expect(events).toBe(projected.length);
    const replayed = Object.fromEntries(
      projected.filter((e) => e.type === 'Created').map((e) => [(e.data as { id: string }).id, e.data]),
    );
    expect(replayed[v1]).toEqual({ id: v1, label: 'old-one', mtu: 1500 });
    expect(replayed[v2]).toEqual({ id: v2, label: 'old-two', mtu: 9000 });

    // The row itself is untouched: the log is never rewritten.
    const [row] = await dataSource.query(`SELECT data FROM ${schema}.events WHERE stream_id = $1`, [`thing-${v1}`]);
    expect(row.data).toEqual({ id: v1, name: 'old-one' });
  });
});
