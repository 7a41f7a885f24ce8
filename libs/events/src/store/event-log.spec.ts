import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import type { DomainEvent } from '../domain/decider.js';
import type { AggregateType } from './aggregate-store.js';
import { EventLog } from './event-log.js';
import { eventStoreDdl } from './schema.js';

type Counted = DomainEvent<'Counted', { by: string }>;
const Counter: AggregateType<{ writers: string[] }, Counted> = {
  category: 'counter',
  snapshotSchema: 'counter-1',
  initialState: () => ({ writers: [] }),
  evolve: (state, e) => ({ writers: [...state.writers, e.data.by] }),
};
const metadata = { correlationId: 'c', causationId: null, actor: 'test' };

/**
 * `execute` against a real PostgreSQL: writers of one stream queue on its lock instead of racing,
 * so however many there are, each decides on the state its predecessor left and none is refused.
 */
describe('EventLog.execute with many concurrent writers (real PostgreSQL)', () => {
  const schema = uniqueSchema('exec');
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = new DataSource({ type: 'postgres', url: testServers().databaseUrl, schema, extra: { max: 40 } });
    await dataSource.initialize();
    for (const ddl of eventStoreDdl(schema)) await dataSource.query(ddl);
  });
  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
    await dataSource.destroy();
  });

  const newLog = (maxAttempts?: number, snapshotEvery?: number) =>
    new EventLog(dataSource, (dataSource.driver as unknown as { master: never }).master, {
      schema,
      projections: [],
      newId: randomUUID,
      maxAttempts,
      snapshotEvery,
    });

  const write = (log: EventLog, stream: string, by: string) =>
    log.execute(
      Counter,
      stream,
      metadata,
      // Each writer's event names the state it decided on: a lost update would show as a repeat.
      (state) => [{ type: 'Counted', data: { by: `${by}@${state.writers.length}` } }],
      (_state, version) => version,
    );

  /** A writer of `stream` that holds its transaction (and the stream's lock) open until released. */
  const holdStream = (log: EventLog, stream: string) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holder = log.execute(
      Counter,
      stream,
      metadata,
      async () => {
        await held;
        return [{ type: 'Counted', data: { by: 'holder' } }];
      },
      (_s, v) => v,
    );
    return { holder, release };
  };

  it('serialises 64 writers of one stream with a single attempt each: none is refused, none is lost', async () => {
    const log = newLog(1);
    const versions = await Promise.all(Array.from({ length: 64 }, (_, i) => write(log, 'one', `w${i}`)));
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    const { state, version } = await log.load(Counter, 'one');
    expect(version).toBe(64);
    // Writer k decided on the k events before it.
    expect(state.writers.map((w) => Number(w.split('@')[1]))).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it('lets writers of different streams run side by side', async () => {
    const log = newLog(1);
    // A writer holding stream a's lock does not keep stream b's writers waiting.
    const { holder, release } = holdStream(log, 'a');
    await expect(write(log, 'b', 'other')).resolves.toBe(1);
    release();
    await expect(holder).resolves.toBe(1);
  });

  it('decides on the latest snapshot plus the events after it, whatever the stream id holds', async () => {
    const log = newLog(1, 10);
    const id = `o'brien\\-${randomUUID()}`;
    for (let i = 0; i < 12; i++) await write(log, id, `w${i}`);
    // Proof the snapshot is what execute loads: a tampered one shows through.
    await dataSource.query(`UPDATE ${schema}.snapshots SET state = $2 WHERE stream_id = $1 AND version = 10`, [
      `counter-${id}`,
      JSON.stringify({ writers: ['tampered'] }),
    ]);
    let seen: string[] = [];
    const version = await log.execute(
      Counter,
      id,
      metadata,
      (state) => {
        seen = state.writers;
        return [{ type: 'Counted', data: { by: 'last' } }];
      },
      (_s, v) => v,
    );
    expect(version).toBe(13);
    expect(seen).toEqual(['tampered', 'w10@10', 'w11@11']);
  });

  it('runs the commands that waited for a stream together, each in order; one that fails changes nothing and fails alone', async () => {
    const log = newLog(1);
    const committed: string[][] = [];
    log.onCommitted((events) => committed.push(events.map((e) => (e.data as { by: string }).by)));
    const { holder, release } = holdStream(log, 'batch');
    const first = write(log, 'batch', 'first');
    const failing = log.execute(
      Counter,
      'batch',
      metadata,
      async (_state, _version, tx) => {
        // Its writes are undone with it: the message stays unhandled, its event is not recorded.
        expect(await tx.markHandled('bench', 'm-1')).toBe(true);
        await tx.append('counter-batch', [{ id: randomUUID(), type: 'Counted', data: { by: 'failing' }, metadata }], 2);
        throw new Error('refused');
      },
      (_s, v) => v,
    );
    const last = write(log, 'batch', 'last');
    release();
    await expect(holder).resolves.toBe(1);
    await expect(first).resolves.toBe(2);
    await expect(failing).rejects.toThrow('refused');
    await expect(last).resolves.toBe(3);
    expect((await log.load(Counter, 'batch')).state.writers).toEqual(['holder', 'first@1', 'last@2']);
    expect(committed).toEqual([['holder'], ['first@1', 'last@2']]);
    await expect(log.transaction((tx) => tx.markHandled('bench', 'm-1'))).resolves.toBe(true);
  });

  it('retries, with a fresh state, a write that a writer outside execute raced', async () => {
    const log = newLog();
    let raced = false;
    const version = await log.execute(
      Counter,
      'raced',
      metadata,
      async (state) => {
        if (!raced) {
          raced = true;
          // An append that bypasses the stream lock moves the stream after this writer loaded it.
          await log.store.append('counter-raced', [{ id: randomUUID(), type: 'Counted', data: { by: 'outsider' }, metadata }], {
            expectedVersion: 'any',
          });
        }
        return [{ type: 'Counted', data: { by: `me@${state.writers.length}` } }];
      },
      (_s, v) => v,
    );
    expect(version).toBe(2);
    expect((await log.load(Counter, 'raced')).state.writers).toEqual(['outsider', 'me@1']);
  });
});
