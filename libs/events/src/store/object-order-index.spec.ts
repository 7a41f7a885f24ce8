import pg from 'pg';
import { testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import { LOG_START } from './event.js';
import type { SqlClient } from './event-store.js';
import { PgEventStore } from './pg-event-store.js';
import { eventStoreDdl } from './schema.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** Rows the scans of a plan read, the ones they kept and the ones their filters dropped. */
const rowsRead = (plan: PlanNode[]): number =>
  plan
    .filter((n) => n['Relation Name'] === 'events')
    .reduce(
      (sum, n) =>
        sum +
        (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * n['Actual Loops'],
      0,
    );

const PAGE = 101;

/**
 * `GET /events?streamId=<object id>` pages one object's events in global order: PostgreSQL must walk
 * an index in that order and stop at the page's end, not scan the log, nor read the whole object and
 * sort it in memory. What is checked is what the plan reads, whichever plan PostgreSQL picks.
 */
describe('one object in global order (real PostgreSQL)', () => {
  const schema = uniqueSchema('order');
  const client = new pg.Client({ connectionString: testServers().databaseUrl });

  beforeAll(async () => {
    await client.connect();
    for (const ddl of eventStoreDdl(schema)) await client.query(ddl);
    // 100,000 events: one object of 2,500 among 4,999 objects of about 20 each. Reading the whole
    // object reads 2,500 rows; walking the log's order for it reads about 4,000 for a page.
    await client.query(
      `INSERT INTO "${schema}".events (id, stream_id, version, type, data, metadata)
       SELECT gen_random_uuid(),
              CASE WHEN i % 40 = 0 THEN 'switch-7' ELSE 'switch-x' || (i % 4999) END,
              CASE WHEN i % 40 = 0 THEN i / 40 + 1 ELSE i / 4999 + 1 END,
              'E', '{}', '{"actor":"a","correlationId":"c"}'
       FROM generate_series(0, 99999) AS i`,
    );
    // Statistics and the visibility map settled now, not by autovacuum while the plans are made.
    await client.query(`VACUUM ANALYZE "${schema}".events`);
  }, 60000);
  afterAll(async () => {
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  });

  /** The plan PostgreSQL makes for the statement the store sends for `filter`, with its values. */
  const planFor = async (filter: object): Promise<PlanNode[]> => {
    const sent: Array<{ text: string; values: unknown[] }> = [];
    const recording = {
      query: (q: { text: string; values: unknown[] }) => (sent.push(q), client.query(q)),
    } as unknown as SqlClient;
    const page = await new PgEventStore(recording, schema).readAll(LOG_START, PAGE, { filter, client: recording });
    expect(page.events).toHaveLength(PAGE);
    const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sent[0].text}`, sent[0].values);
    return nodes(rows[0]['QUERY PLAN'][0].Plan as PlanNode);
  };

  it('reads a page of one object, not the object or the log, with no sort', async () => {
    const plan = await planFor({ objectId: '7' });
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(rowsRead(plan)).toBeLessThanOrEqual(2 * PAGE);
  });

  it('still does with other filters on top', async () => {
    for (const filter of [{ type: 'E', actor: 'a' }, { correlationId: 'c' }]) {
      const plan = await planFor({ objectId: '7', ...filter });
      expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
      expect(rowsRead(plan)).toBeLessThanOrEqual(2 * PAGE);
    }
  });
});
