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

  it('loads and appends several aggregates at once, each entry with its metadata, snapshots kept as one by one', async () => {
    const [a, b, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    for (let i = 1; i <= 9; i++) {
      await aggregates.append(Counter, a, await aggregates.load(Counter, a), [{ type: 'Added', data: { n: 1 } }], {
        metadata: meta,
        newId: randomUUID,
      });
    }
    const loaded = await aggregates.loadMany(Counter, [a, b]);
    expect(loaded.get(a)).toEqual({ state: { total: 9, count: 9 }, version: 9 });
    expect(loaded.get(b)).toEqual({ state: { total: 0, count: 0 }, version: 0 });
    const other = { ...meta, correlationId: 'other' };
    const answers = await aggregates.appendMany(
      Counter,
      loaded,
      [
        { id: a, events: [{ type: 'Added', data: { n: 10 } }], metadata: meta },
        { id: b, events: [{ type: 'Added', data: { n: 5 } }], metadata: meta },
        {
          id: a,
          events: [
            { type: 'Added', data: { n: 100 } },
            { type: 'Added', data: { n: 1000 } },
          ],
          metadata: other,
        },
        { id: b, events: [], metadata: meta },
      ],
      { newId: randomUUID },
    );
    expect(answers.map((x) => [x.state.total, x.version, x.recorded.map((e) => e.metadata.correlationId)])).toEqual([
      [19, 10, ['c']],
      [5, 1, ['c']],
      [1119, 12, ['other', 'other']],
      [5, 1, []],
    ]);
    // Crossing version 10 kept its snapshot, as a lone append does.
    expect((await snapshots.load<{ total: number }>(`counter-${a}`, 'counter.v1'))?.version).toBe(12);
    const again = await aggregates.loadMany(Counter, [a, b, fresh]);
    expect([...again.values()].map((l) => l.version)).toEqual([12, 1, 0]);
    expect(again.get(a)!.state.total).toBe(1119);
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

  it('reads as of a point from the latest snapshot at or before it, from the start when before the first', async () => {
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
    // Snapshots are kept at versions 10 and 20: the one at 20 (total 210), tampered with, shows through exactly where it is used.
    const kept = await pool.query(`SELECT version FROM ${schema}.snapshots WHERE stream_id = $1 ORDER BY version`, [
      `counter-${id}`,
    ]);
    expect(kept.rows.map((r) => Number(r.version))).toEqual([10, 20]);
    await pool.query(
      `UPDATE ${schema}.snapshots SET state = '{"total": 1000, "count": 20}' WHERE stream_id = $1 AND version = 20`,
      [`counter-${id}`],
    );
    const totalAt = async (asOf: { position: number } | { time: Date }) =>
      (await aggregates.load(Counter, id, { asOf })).state.total;
    expect(await totalAt({ position: at[19].position })).toBe(1000);
    expect(await totalAt({ position: at[22].position })).toBe(1000 + 21 + 22 + 23);
    expect(await totalAt({ time: at[22].time })).toBe(1000 + 21 + 22 + 23);
    expect(await totalAt({ position: at[18].position })).toBe(190);
    expect(await totalAt({ time: at[18].time })).toBe(190);
    expect(await totalAt({ position: at[0].position - 1 })).toBe(0);
    // Before the first snapshot: folded from the start (a tampered snapshot at 10 does not show at version 9).
    await pool.query(
      `UPDATE ${schema}.snapshots SET state = '{"total": 5000, "count": 10}' WHERE stream_id = $1 AND version = 10`,
      [`counter-${id}`],
    );
    expect(await totalAt({ position: at[8].position })).toBe(45);
    expect(await totalAt({ position: at[12].position })).toBe(5000 + 11 + 12 + 13);
  });

  it('keeps the snapshots a fold passes and lacks, so the next read of that history starts from one', async () => {
    const id = randomUUID();
    const positions: number[] = [];
    for (let i = 1; i <= 35; i++) {
      const loaded = await aggregates.load(Counter, id);
      const { result } = await aggregates.append(Counter, id, loaded, [{ type: 'Added', data: { n: 1 } }], {
        metadata: meta,
        newId: randomUUID,
      });
      positions.push(result.positions[0]);
    }
    // As after a rebuild, or on a log written before snapshots were kept every N events.
    await pool.query(`DELETE FROM ${schema}.snapshots WHERE stream_id = $1`, [`counter-${id}`]);
    expect((await aggregates.load(Counter, id, { asOf: { position: positions[24] } })).state.count).toBe(25);
    const kept = await pool.query(`SELECT version, state FROM ${schema}.snapshots WHERE stream_id = $1 ORDER BY version`, [
      `counter-${id}`,
    ]);
    expect(kept.rows.map((r) => [Number(r.version), r.state.count])).toEqual([
      [10, 10],
      [20, 20],
    ]);
    expect((await aggregates.load(Counter, id)).state.count).toBe(35);
    const all = await pool.query(`SELECT version FROM ${schema}.snapshots WHERE stream_id = $1 ORDER BY version`, [
      `counter-${id}`,
    ]);
    expect(all.rows.map((r) => Number(r.version))).toEqual([10, 20, 30]);
  });
});
