import type { RecordedEvent } from '../store/event.js';
import { batchesOf, inlined, PipelinedWrites, projectPage } from './project-page.js';
import type { Projection, ProjectionContext } from './projection.js';

const event = (position: number, streamId = 'thing-1'): RecordedEvent => ({
  id: `e${position}`,
  position,
  transactionId: '1',
  streamId,
  version: position,
  type: 'Happened',
  data: {},
  metadata: { correlationId: 'c', causationId: null, actor: 'test' },
  recordedAt: new Date(0),
});

const context = {} as ProjectionContext;
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A projection that logs when it starts and ends each batch, and waits `ticks` turns in between. */
function logging(
  log: string[],
  name: string,
  options: { reads?: readonly string[]; ticks?: number; fails?: boolean } = {},
): Projection {
  return {
    name,
    tables: [name],
    ...(options.reads ? { reads: options.reads } : {}),
    apply: async () => {},
    applyBatch: async (events) => {
      log.push(`${name}:start:${events[0].position}`);
      for (let i = 0; i < (options.ticks ?? 2); i++) await tick();
      if (options.fails) throw new Error(`${name} failed`);
      log.push(`${name}:end:${events[0].position}`);
    },
  };
}

describe('projectPage', () => {
  it('runs the projections that declare what they read beside each other', async () => {
    const log: string[] = [];
    await projectPage([event(1)], [logging(log, 'a', { reads: [] }), logging(log, 'b', { reads: [] })], context);
    expect(log.slice(0, 2)).toEqual(['a:start:1', 'b:start:1']);
    expect(log).toHaveLength(4);
  });

  it('starts a projection once those it reads are done with the batch', async () => {
    const log: string[] = [];
    await projectPage(
      [event(1)],
      [
        logging(log, 'a', { reads: [], ticks: 4 }),
        logging(log, 'b', { reads: [], ticks: 1 }),
        logging(log, 'c', { reads: ['a'] }),
      ],
      context,
    );
    expect(log.indexOf('c:start:1')).toBeGreaterThan(log.indexOf('a:end:1'));
    expect(log.indexOf('b:start:1')).toBeLessThan(log.indexOf('a:end:1'));
  });

  it('runs a projection that declares nothing alone', async () => {
    const log: string[] = [];
    await projectPage(
      [event(1)],
      [logging(log, 'a', { reads: [] }), logging(log, 'b'), logging(log, 'c', { reads: [] })],
      context,
    );
    expect(log).toEqual(['a:start:1', 'a:end:1', 'b:start:1', 'b:end:1', 'c:start:1', 'c:end:1']);
  });

  it('finishes every projection with a batch before the next batch starts', async () => {
    const log: string[] = [];
    const opaque: Projection = { ...logging(log, 'o', { reads: ['a'] }), readsEarlierModels: (e) => e.position === 2 };
    await projectPage([event(1), event(2), event(3)], [logging(log, 'a', { reads: [], ticks: 3 }), opaque], context);
    expect(batchesOf([event(1), event(2), event(3)], [opaque]).map((b) => b.map((e) => e.position))).toEqual([[1, 2], [3]]);
    const secondBatch = log.findIndex((l) => l.endsWith(':3'));
    expect(log.slice(0, secondBatch).sort()).toEqual(['a:end:1', 'a:start:1', 'o:end:1', 'o:start:1']);
  });

  it('fails with the first failure once the others of the batch have settled', async () => {
    const log: string[] = [];
    await expect(
      projectPage(
        [event(1)],
        [logging(log, 'a', { reads: [], ticks: 1, fails: true }), logging(log, 'b', { reads: [], ticks: 5 })],
        context,
      ),
    ).rejects.toThrow('a failed');
    expect(log).toContain('b:end:1');
  });
});

describe('PipelinedWrites', () => {
  /**
   * A connection that runs queries one at a time, in the order sent, each a turn of the loop; a
   * query of several statements runs them in turn up to the first that fails, as PostgreSQL does.
   */
  function connection(failing?: string) {
    const ran: string[] = [];
    const queries: string[] = [];
    let queue = Promise.resolve();
    const client = {
      query: (text: string) => {
        queries.push(text);
        const run = queue.then(async () => {
          await tick();
          for (const statement of text.split(';\n')) {
            if (ran.includes(failing ?? '')) throw new Error('current transaction is aborted');
            ran.push(statement);
            if (statement === failing) throw new Error(`${statement} failed`);
          }
          return { rows: [] };
        });
        queue = run.then(
          () => {},
          () => {},
        );
        return run;
      },
    };
    return { ran, queries, context: { client, manager: {} } as unknown as ProjectionContext };
  }

  it('sends writes in order without waiting for them, together, and settles them all', async () => {
    const { ran, queries, context } = connection();
    const writes = new PipelinedWrites(context);
    writes.batchContext.write('a');
    writes.batchContext.write('b');
    expect(ran).toEqual([]);
    await writes.settle();
    expect(ran).toEqual(['a', 'b']);
    expect(queries).toHaveLength(1);
  });

  it('runs what a projection sends itself after the writes it made before', async () => {
    const { ran, context } = connection();
    const writes = new PipelinedWrites(context);
    const { write, client } = writes.batchContext;
    write('a');
    await client.query('read');
    write('b');
    await writes.settle();
    expect(ran).toEqual(['a', 'read', 'b']);
  });

  it('settles with the first write that failed, not what failed after it', async () => {
    const { ran, context } = connection('a');
    const writes = new PipelinedWrites(context);
    writes.write('a');
    writes.flush();
    writes.write('b');
    await expect(writes.settle()).rejects.toThrow('a failed');
    expect(ran).toEqual(['a']);
    expect((writes.failure as Error).message).toBe('a failed');
  });

  it('sends a write whose values cannot be constants on its own, after those held', async () => {
    const { ran, queries, context } = connection();
    const writes = new PipelinedWrites(context);
    writes.write('a');
    writes.write('b $1', [{ not: 'a constant' }]);
    await writes.settle();
    expect(ran).toEqual(['a', 'b $1']);
    expect(queries).toEqual(['a', 'b $1']);
  });

  it('a page projected with a plain context has its writes done when projectPage returns', async () => {
    const { ran, context } = connection();
    const writer: Projection = {
      name: 'w',
      tables: ['w'],
      reads: [],
      apply: async () => {},
      applyBatch: async (_events, { write }) => write('w'),
    };
    await projectPage([event(1)], [writer], context);
    expect(ran).toEqual(['w']);
  });
});

describe('inlined', () => {
  it('puts each value in as a string constant, quotes and backslashes escaped', () => {
    expect(inlined('INSERT INTO t VALUES ($1, $2, $10)', ["it's", 'a\\b', null, 4, 5, 6, 7, 8, 9, true])).toBe(
      "INSERT INTO t VALUES ('it''s', E'a\\\\b', 'true')",
    );
  });

  it('puts arrays in as array constants, elements quoted', () => {
    expect(
      inlined('SELECT $1::text[], $2::int[]', [
        ['a,b', 'c"d', null],
        [1, 2],
      ]),
    ).toBe(`SELECT E'{"a,b","c\\\\"d",NULL}'::text[], '{"1","2"}'::int[]`);
  });

  it('is null for values that are not strings, numbers, booleans, nulls or arrays of them', () => {
    expect(inlined('SELECT $1', [{ a: 1 }])).toBeNull();
    expect(inlined('SELECT $1', [[[1]]])).toBeNull();
    expect(inlined('SELECT $1', [new Date(0)])).toBeNull();
  });
});
