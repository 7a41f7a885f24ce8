import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { testPool, uniqueSchema } from '../../../../test/harness/servers.js';
import { AggregateStore, type AggregateType } from './aggregate-store.js';
import { PgEventStore } from './pg-event-store.js';
import { eventStoreDdl } from './schema.js';
import { SnapshotStore } from './snapshot-store.js';

// Longer than Jest's 5 s default, since a test writes and reads a few hundred events in PostgreSQL (on a loaded machine too).
jest.setTimeout(20000);

type CounterEvent = { type: 'Added'; data: { n: number } };
const Counter: AggregateType<{ total: number; count: number }, CounterEvent> = {
  category: 'counter',
  snapshotSchema: 'counter.v1',
  initialState: () => ({ total: 0, count: 0 }),
  evolve: (s, e) => ({ total: s.total + e.data.n, count: s.count + 1 }),
};
const meta = { correlationId: 'c', causationId: null, actor: 't' };

describe('AggregateStore snapshots (real PostgreSQL)', () => {
  const schema = uniqueSchema('agg');
  let pool: pg.Pool;
  let aggregates: AggregateStore;
  let snapshots: SnapshotStore;
  let events: PgEventStore;

  beforeAll(async () => {
    pool = testPool(5);
    for (const ddl of eventStoreDdl(schema)) await pool.query(ddl);
    events = new PgEventStore(pool, schema);
    snapshots = new SnapshotStore(pool, schema);
    aggregates = new AggregateStore(events, snapshots, 10);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  it('snapshots every N events and loads from the snapshot plus the events after it', async () => {
    const id = randomUUID();
    for (let i = 1; i <= 25; i++) {
      const loaded = await aggregates.load(Counter, id);
      await aggregates.append(Counter, id, loaded, [{ type: 'Added', data: { n: i } }], { metadata: meta, newId: randomUUID });
    }
    const snap = await snapshots.load<{ total: number; count: number }>(`counter-${id}`, 'counter.v1');
    expect(snap?.version).toBe(20);
    expect(snap?.state).toEqual({ total: 210, count: 20 });
    const loaded = await aggregates.load(Counter, id);
    expect(loaded).toEqual({ state: { total: 325, count: 25 }, version: 25 });

    // Proof the snapshot is used: a tampered snapshot shows through (and a new schema ignores it).
    await pool.query(`UPDATE ${schema}.snapshots SET state = '{"total": 1000, "count": 20}' WHERE stream_id = $1`, [
      `counter-${id}`,
    ]);
    expect((await aggregates.load(Counter, id)).state.total).toBe(1000 + 21 + 22 + 23 + 24 + 25);
    expect((await aggregates.load({ ...Counter, snapshotSchema: 'counter.v2' }, id)).state.total).toBe(325);
  });

  it('reads as of a point of the log by folding from the start', async () => {
    const id = randomUUID();
    const positions: number[] = [];
    for (let i = 1; i <= 15; i++) {
      const loaded = await aggregates.load(Counter, id);
      const { result } = await aggregates.append(Counter, id, loaded, [{ type: 'Added', data: { n: 1 } }], {
        metadata: meta,
        newId: randomUUID,
      });
      positions.push(result.positions[0]);
    }
    expect((await aggregates.load(Counter, id, { asOf: { position: positions[11] } })).state.count).toBe(12);
  });

  it('reads as of a point from the snapshot when the point is at or past it, from the start when before it', async () => {
    const id = randomUUID();
    const at: Array<{ position: number; time: Date }> = [];
    for (let i = 1; i <= 25; i++) {
      const loaded = await aggregates.load(Counter, id);
      const { result } = await aggregates.append(Counter, id, loaded, [{ type: 'Added', data: { n: i } }], {
        metadata: meta,
        newId: randomUUID,
      });
      // The log keeps microseconds, a Date milliseconds: 1 ms past an event's time is past it (2 ms apart, not past the next).
      at.push({ position: result.positions[0], time: new Date(result.events[0].recordedAt.getTime() + 1) });
      await new Promise((r) => setTimeout(r, 3));
    }
    // The snapshot is at version 20 (total 210): tampered with, it shows through exactly where it is used.
    await pool.query(`UPDATE ${schema}.snapshots SET state = '{"total": 1000, "count": 20}' WHERE stream_id = $1`, [
      `counter-${id}`,
    ]);
    const totalAt = async (asOf: { position: number } | { time: Date }) =>
      (await aggregates.load(Counter, id, { asOf })).state.total;
    expect(await totalAt({ position: at[19].position })).toBe(1000);
    expect(await totalAt({ position: at[22].position })).toBe(1000 + 21 + 22 + 23);
    expect(await totalAt({ time: at[22].time })).toBe(1000 + 21 + 22 + 23);
    expect(await totalAt({ position: at[18].position })).toBe(190);
    expect(await totalAt({ time: at[18].time })).toBe(190);
    expect(await totalAt({ position: at[0].position - 1 })).toBe(0);
  });
});
