import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testPool, testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import { VersionConflictError } from '../errors/domain-error.js';
import type { LogCursor, NewEvent, RecordedEvent } from './event.js';
import { LOG_START } from './event.js';
import { PgEventStore } from './pg-event-store.js';
import { eventStoreDdl } from './schema.js';

// Longer than Jest's 5 s default, since a test races 16 writers against PostgreSQL (on a loaded machine too).
jest.setTimeout(30000);

const meta = { correlationId: 'c', causationId: null, actor: 'test' };
const ev = (type: string, data: unknown = {}): NewEvent => ({ id: randomUUID(), type, data, metadata: meta });

async function readEverything(store: PgEventStore, from: LogCursor = LOG_START): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let cursor = from;
  for (;;) {
    const page = await store.readAll(cursor, 500);
    out.push(...page.events);
    if (page.events.length === 0) return out;
    cursor = page.cursor;
  }
}

describe('PgEventStore (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let store: PgEventStore;
  const schema = uniqueSchema('es');

  beforeAll(async () => {
    pool = testPool(40);
    for (const ddl of eventStoreDdl(schema)) await pool.query(ddl);
    store = new PgEventStore(pool, schema);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  it('appends to several streams in one statement, each at its version, and reads them back in one read', async () => {
    const [a, b, c] = [`sw-${randomUUID()}`, `sw-${randomUUID()}`, `sw-${randomUUID()}`];
    await store.append(a, [ev('A0')], { expectedVersion: 0 });
    const results = await store.appendMany([
      { streamId: a, expectedVersion: 1, events: [ev('A1', { n: 1 }), ev('A2', { n: 2 })] },
      { streamId: b, expectedVersion: 0, events: [ev('B1', { n: 3 })] },
    ]);
    expect(results.map((r) => [r.nextVersion, r.events.map((e) => [e.streamId, e.type, e.version])])).toEqual([
      [
        3,
        [
          [a, 'A1', 2],
          [a, 'A2', 3],
        ],
      ],
      [1, [[b, 'B1', 1]]],
    ]);
    // Global positions in the order given, in one transaction.
    const positions = results.flatMap((r) => r.positions);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(new Set(results.map((r) => r.transactionId)).size).toBe(1);
    expect((await store.readStream(a)).map((e) => [e.type, e.version, e.data])).toEqual([
      ['A0', 1, {}],
      ['A1', 2, { n: 1 }],
      ['A2', 3, { n: 2 }],
    ]);
    const read = await store.readManyFromSnapshot([a, b, c], 'none');
    expect(read.get(a)!.events.map((e) => e.type)).toEqual(['A0', 'A1', 'A2']);
    expect(read.get(b)!.events.map((e) => e.metadata)).toEqual([meta]);
    expect(read.has(c)).toBe(false);
  });

  it('appends nothing to any stream when one of several is not at its expected version', async () => {
    const [a, b] = [`sw-${randomUUID()}`, `sw-${randomUUID()}`];
    await store.append(b, [ev('B1')], { expectedVersion: 0 });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const err = await store
        .appendMany(
          [
            { streamId: a, expectedVersion: 0, events: [ev('A1')] },
            { streamId: b, expectedVersion: 0, events: [ev('B2')] },
          ],
          { client },
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VersionConflictError);
      expect((err as VersionConflictError).retryable).toBe(true);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await store.readStream(a)).toEqual([]);
    expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B1']);
  });

  it('appends with an expected version and reads the stream back in order', async () => {
    const s = `sw-${randomUUID()}`;
    const r1 = await store.append(s, [ev('A', { n: 1 }), ev('B', { n: 2 })], { expectedVersion: 0 });
    expect(r1.nextVersion).toBe(2);
    expect(r1.positions[1]).toBeGreaterThan(r1.positions[0]);
    const r2 = await store.append(s, [ev('C', { n: 3 })], { expectedVersion: 2 });
    expect(r2.nextVersion).toBe(3);
    const events = await store.readStream(s);
    expect(events.map((e) => [e.type, e.version, e.data])).toEqual([
      ['A', 1, { n: 1 }],
      ['B', 2, { n: 2 }],
      ['C', 3, { n: 3 }],
    ]);
    expect(events[0].metadata).toEqual(meta);
    expect(events[0].recordedAt).toBeInstanceOf(Date);
    expect(await store.readStream(s, { fromVersion: 2 })).toHaveLength(1);
  });

  it('refuses a stale, a future or a "new stream" expectation with VersionConflictError and writes nothing', async () => {
    const s = `sw-${randomUUID()}`;
    await store.append(s, [ev('A')], { expectedVersion: 0 });
    await expect(store.append(s, [ev('B')], { expectedVersion: 0 })).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.append(s, [ev('B')], { expectedVersion: 5 })).rejects.toThrow(/at version 1, not 5/);
    await expect(store.append(`sw-${randomUUID()}`, [ev('B')], { expectedVersion: 3 })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect(await store.readStream(s)).toHaveLength(1);
    expect(await store.streamVersion(s)).toBe(1);
  });

  it('appends at any version when asked', async () => {
    const s = `sw-${randomUUID()}`;
    await store.append(s, [ev('A')], { expectedVersion: 'any' });
    const r = await store.append(s, [ev('B'), ev('C')], { expectedVersion: 'any' });
    expect(r.nextVersion).toBe(3);
    expect((await store.readStream(s)).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('16 concurrent writers lose no update: conflicts are reported, retried, and versions stay contiguous', async () => {
    const shared = `shared-${randomUUID()}`;
    const perWriter = 15;
    let conflicts = 0;
    const writer = async (w: number) => {
      const own = `own-${w}-${randomUUID()}`;
      for (let i = 0; i < perWriter; i++) {
        // Different streams never conflict.
        await store.append(own, [ev('Own', { w, i })], { expectedVersion: i });
        // The same stream: read, decide, append with the version read; retry on conflict.
        for (;;) {
          const version = await store.streamVersion(shared);
          try {
            await store.append(shared, [ev('Shared', { w, i })], { expectedVersion: version });
            break;
          } catch (err) {
            if (!(err instanceof VersionConflictError)) throw err;
            conflicts++;
          }
        }
      }
      return own;
    };
    const owns = await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
    const sharedEvents = await store.readStream(shared);
    expect(sharedEvents).toHaveLength(16 * perWriter);
    expect(sharedEvents.map((e) => e.version)).toEqual(Array.from({ length: 16 * perWriter }, (_, i) => i + 1));
    const written = new Set(sharedEvents.map((e) => JSON.stringify(e.data)));
    expect(written.size).toBe(16 * perWriter);
    expect(conflicts).toBeGreaterThan(0);
    for (const own of owns) expect(await store.streamVersion(own)).toBe(perWriter);
  });

  it('a global reader never skips an event whose transaction commits late', async () => {
    const start = (await readEverything(store)).at(-1);
    const from: LogCursor = start ? { transactionId: start.transactionId, position: start.position } : LOG_START;
    const held = await pool.connect();
    try {
      await held.query('BEGIN');
      // The held transaction takes its position first, then others commit after it.
      await store.append(`late-${randomUUID()}`, [ev('Late')], { expectedVersion: 0, client: held });
      await Promise.all(
        Array.from({ length: 5 }, () => store.append(`early-${randomUUID()}`, [ev('Early')], { expectedVersion: 0 })),
      );

      // The reader sees nothing past the running transaction, so its cursor cannot move beyond it.
      const seenWhileHeld = await readEverything(store, from);
      expect(seenWhileHeld.map((e) => e.type)).not.toContain('Late');
      expect(seenWhileHeld.map((e) => e.type)).not.toContain('Early');
      const cursor = seenWhileHeld.at(-1)
        ? { transactionId: seenWhileHeld.at(-1)!.transactionId, position: seenWhileHeld.at(-1)!.position }
        : from;

      await held.query('COMMIT');
      const after = await readEverything(store, cursor);
      expect(after.map((e) => e.type).sort()).toEqual(['Early', 'Early', 'Early', 'Early', 'Early', 'Late']);
    } finally {
      held.release();
    }
  });

  it("a long transaction that cannot write the log does not hold its readers back: another database's, another role's", async () => {
    const start = (await readEverything(store)).at(-1);
    const from: LogCursor = start ? { transactionId: start.transactionId, position: start.position } : LOG_START;
    const role = `${schema}_other`;
    const database = `${schema}_other`;
    const password = randomUUID();
    await pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await pool.query(`CREATE DATABASE ${database}`);
    const url = (user: string | null, db: string | null) => {
      const u = new URL(testServers().databaseUrl);
      if (user) [u.username, u.password] = [user, password];
      if (db) u.pathname = `/${db}`;
      return u.toString();
    };
    // Each holds a transaction id, as a writer of anything does, and stays open meanwhile.
    const holders = [new pg.Client(url(null, database)), new pg.Client(url(role, null))];
    try {
      for (const c of holders) {
        await c.connect();
        await c.query('BEGIN');
        await c.query('SELECT pg_current_xact_id()');
      }
      await store.append(`after-${randomUUID()}`, [ev('AfterForeign')], { expectedVersion: 0 });
      expect((await readEverything(store, from)).map((e) => e.type)).toContain('AfterForeign');
    } finally {
      for (const c of holders) await c.end().catch(() => undefined);
      await pool.query(`DROP DATABASE IF EXISTS ${database}`);
      await pool.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('a reader racing 16 writers and a slow transaction collects every committed event exactly once', async () => {
    const start = (await readEverything(store)).at(-1);
    let cursor: LogCursor = start ? { transactionId: start.transactionId, position: start.position } : LOG_START;
    const seen: RecordedEvent[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const page = await store.readAll(cursor, 100);
        seen.push(...page.events);
        cursor = page.cursor;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const slow = (async () => {
      const c = await pool.connect();
      try {
        for (let i = 0; i < 5; i++) {
          await c.query('BEGIN');
          await store.append(`slow-${randomUUID()}`, [ev('Slow')], { expectedVersion: 0, client: c });
          await new Promise((r) => setTimeout(r, 60));
          await c.query('COMMIT');
        }
      } finally {
        c.release();
      }
    })();
    const writers = Array.from({ length: 16 }, async () => {
      for (let i = 0; i < 20; i++) await store.append(`race-${randomUUID()}`, [ev('Race'), ev('Race')], { expectedVersion: 0 });
    });
    await Promise.all([slow, ...writers]);
    writing = false;
    await reader;
    seen.push(...(await readEverything(store, cursor)));
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(seen.filter((e) => e.type === 'Race')).toHaveLength(16 * 20 * 2);
    expect(seen.filter((e) => e.type === 'Slow')).toHaveLength(5);
  });

  it('reads a stream as of a global position or a time', async () => {
    const s = `asof-${randomUUID()}`;
    const r1 = await store.append(s, [ev('A'), ev('B')], { expectedVersion: 0 });
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await store.append(s, [ev('C')], { expectedVersion: 2 });
    expect((await store.readStream(s, { asOf: { position: r1.positions[1] } })).map((e) => e.type)).toEqual(['A', 'B']);
    expect((await store.readStream(s, { asOf: { position: r1.positions[0] } })).map((e) => e.type)).toEqual(['A']);
    expect((await store.readStream(s, { asOf: { time: between } })).map((e) => e.type)).toEqual(['A', 'B']);
  });
});

describe('PgEventStore global order across an xid power of ten', () => {
  let pool: pg.Pool;
  const schema = uniqueSchema('xid');

  beforeAll(async () => {
    pool = testPool(2);
    for (const ddl of eventStoreDdl(schema)) await pool.query(ddl);
  });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  it('orders by the transaction id as a number, not as text, and the cursor skips nothing', async () => {
    // Two finished transactions whose ids straddle a power of ten below the current one ('99' > '100' as text).
    const { rows } = await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
    const p = 10 ** Math.floor(Math.log10(Number(rows[0].xid) - 1));
    const insert = `INSERT INTO ${schema}.events (transaction_id, id, stream_id, version, type, data, metadata)
      VALUES ($1::xid8, $2, $3, 1, 'T', '{}', '{}')`;
    await pool.query(insert, [String(p), randomUUID(), 'b-1']);
    await pool.query(insert, [String(p - 1), randomUUID(), 'a-1']);
    const store = new PgEventStore(pool, schema);
    const seen: string[] = [];
    let cursor = LOG_START;
    for (let i = 0; i < 5; i++) {
      const page = await store.readAll(cursor, 1);
      seen.push(...page.events.map((e) => e.streamId));
      cursor = page.cursor;
    }
    expect(seen).toEqual(['a-1', 'b-1']);
  });
});
