// Grows a service's event log fast, in the real shapes of its events: the events of a few template
// streams (recorded through the API) copied `copies` times with SQL (INSERT ... SELECT over
// generate_series), each copy under new ids, in the template's global order. Used by the replay
// benchmark and by the tests that need a long rebuild.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

/**
 * Copies the events of `templates` (`{ streamId, owned }`: `owned` are the ids that belong to the
 * stream's object and take a new value in each copy — UUIDs get copy-numbered last 12 digits, other
 * strings such as host ids a `-c<k>` suffix; every other id, e.g. a network's, is kept) `copies`
 * times into `schema.events`, `chunk` copies per statement, and moves the streams rows. Returns the
 * number of events inserted.
 */
export async function cloneStreams(client, schema, templates, copies, { chunk = 2000, first = 1 } = {}) {
  const swaps = [];
  const streamCases = [];
  for (const t of templates) {
    for (const id of t.owned) {
      if (UUID.test(id)) swaps.push([quote(id), `${quote(id.slice(0, 24))} || lpad(to_hex(k), 12, '0')`]);
      else swaps.push([quote(JSON.stringify(id)), `${quote(JSON.stringify(id).slice(0, -1))} || '-c' || k || '"'`]);
    }
    const [category, ...rest] = t.streamId.split('-');
    const objectId = rest.join('-');
    const newObject = UUID.test(objectId)
      ? `${quote(objectId.slice(0, 24))} || lpad(to_hex(k), 12, '0')`
      : `${quote(objectId)} || '-c' || k`;
    streamCases.push(`WHEN ${quote(t.streamId)} THEN ${quote(`${category}-`)} || ${newObject}`);
  }
  const data = swaps.reduce((expr, [from, to]) => `replace(${expr}, ${from}, ${to})`, 't.data');
  const sql = `
    INSERT INTO ${schema}.events (id, stream_id, version, type, data, metadata)
    SELECT gen_random_uuid(), CASE t.stream_id ${streamCases.join(' ')} END, t.version, t.type, (${data})::jsonb, t.metadata
    FROM generate_series($2::int, $3::int) AS k
    CROSS JOIN (SELECT position, stream_id, version, type, data::text AS data, metadata FROM ${schema}.events WHERE stream_id = ANY($1::text[])) AS t
    ORDER BY k, t.position`;
  let inserted = 0;
  const streams = templates.map((t) => t.streamId);
  for (let from = first; from < first + copies; from += chunk) {
    const to = Math.min(first + copies - 1, from + chunk - 1);
    const { rows } = await client.query(`SELECT coalesce(max(position), 0) AS p FROM ${schema}.events`);
    const r = await client.query(sql, [streams, from, to]);
    inserted += r.rowCount;
    await client.query(
      `INSERT INTO ${schema}.streams (stream_id, version)
       SELECT stream_id, max(version) FROM ${schema}.events WHERE position > $1 GROUP BY stream_id
       ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version`,
      [rows[0].p],
    );
  }
  return inserted;
}
