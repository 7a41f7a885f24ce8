import pg from 'pg';
import { testServers, uniqueSchema } from '../../../../test/harness/servers.js';
import { LOG_START } from './event.js';
import type { SqlClient } from './event-store.js';
import { PgEventStore } from './pg-event-store.js';
import { eventStoreDdl } from './schema.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * `GET /events?streamId=<object id>` pages one object's events in global order: PostgreSQL must walk
 * an index in that order and stop at the page's end, not scan the log and sort it in memory.
 */
describe('one object in global order (real PostgreSQL)', () => {
  const schema = uniqueSchema('order');
  const client = new pg.Client({ connectionString: testServers().databaseUrl });

  beforeAll(async () => {
    await client.connect();
    for (const ddl of eventStoreDdl(schema)) await client.query(ddl);
    // 50,000 events over 20 streams: a stream of 2,500 that a sort would read whole.
    await client.query(
      `INSERT INTO "${schema}".events (id, stream_id, version, type, data, metadata)
       SELECT gen_random_uuid(), 'switch-' || (i % 20), i / 20 + 1, 'E', '{}', '{"actor":"a"}' FROM generate_series(0, 49999) AS i`,
    );
    await client.query(`ANALYZE "${schema}".events`);
  });
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
    const page = await new PgEventStore(recording, schema).readAll(LOG_START, 101, { filter, client: recording });
    expect(page.events.length).toBeGreaterThan(0);
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sent[0].text}`, sent[0].values);
    return nodes(rows[0]['QUERY PLAN'][0].Plan as PlanNode);
  };

  it('reads a page of one object through the events_object_order index, with no sort', async () => {
    const plan = await planFor({ objectId: '7' });
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(plan.map((n) => n['Index Name'])).toContain('events_object_order');
  });

  it('still does with other filters on top', async () => {
    const plan = await planFor({ objectId: '7', type: 'E', actor: 'a' });
    expect(plan.map((n) => n['Index Name'])).toContain('events_object_order');
  });
});
