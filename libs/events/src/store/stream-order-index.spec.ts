import pg from 'pg';
import { testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import { eventStoreDdl } from './schema.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * `GET /events?streamId=` pages one stream in global order: PostgreSQL must walk an index in that
 * order and stop at the page's end, not read the whole stream and sort it in memory.
 */
describe('one stream in global order (real PostgreSQL)', () => {
  const schema = uniqueSchema('order');
  const client = new pg.Client({ connectionString: testServers().databaseUrl });

  beforeAll(async () => {
    await client.connect();
    for (const ddl of eventStoreDdl(schema)) await client.query(ddl);
    // 50,000 events over 20 streams: a stream of 2,500 that a sort would read whole.
    await client.query(
      `INSERT INTO "${schema}".events (id, stream_id, version, type, data, metadata)
       SELECT gen_random_uuid(), 'switch-' || (i % 20), i / 20 + 1, 'E', '{}', '{}' FROM generate_series(0, 49999) AS i`,
    );
    await client.query(`ANALYZE "${schema}".events`);
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  });

  it('reads a page of a stream through the (stream_id, transaction_id, position) index, with no sort', async () => {
    const { rows } = await client.query(
      `EXPLAIN (FORMAT JSON) SELECT * FROM "${schema}".events
       WHERE (transaction_id, position) > ('0'::xid8, 0::bigint) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         AND stream_id = 'switch-7'
       ORDER BY transaction_id, position LIMIT 101`,
    );
    const plan = nodes(rows[0]['QUERY PLAN'][0].Plan as PlanNode);
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(plan.map((n) => n['Index Name'])).toContain('events_stream_order');
  });
});
