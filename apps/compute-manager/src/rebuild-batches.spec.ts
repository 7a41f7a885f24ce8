import { DEFAULT_POLICY, type LogicalNetworkConstruct } from '@vnet/contracts';
import { PipelinedWrites, projectPage, type Projection, type ProjectionContext, type RecordedEvent, type SqlClient } from '@vnet/events';
import fc from 'fast-check';
import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { testServers, uniqueSchema } from '../../../test/harness/servers.js';
import { DcnProjection } from './dcns/dcn.projection.js';
import { ExtensionProjection } from './extensions/extension.projection.js';
import { HostProjection } from './hosts/host.projection.js';
import { Hosts1764000000101 } from './migrations/1764000000101-hosts.js';
import { Switches1764000000102 } from './migrations/1764000000102-switches.js';
import { Dcns1764000000103 } from './migrations/1764000000103-dcns.js';
import { HostPortOverrides1764000000104 } from './migrations/1764000000104-host-port-overrides.js';
import { OpaqueData1764000000105 } from './migrations/1764000000105-opaque-data.js';
import { HostCredentialRevocations1764000000107 } from './migrations/1764000000107-host-credential-revocations.js';
import { OpaqueProjection } from './opaque-data/opaque.projection.js';
import { SwitchProjection } from './switches/switch.projection.js';

/**
 * A rebuild projects the log in pages, each projection set-based over a batch; inline projection
 * applies each event in turn. On random logs (hosts reporting networks they gain and lose, switches
 * growing and restored, DCNs attaching and migrating, opaque data) both must leave every read-model
 * table identical, whatever the page cuts. Against a real PostgreSQL.
 */
const projections = (): Projection[] => [new HostProjection(), new SwitchProjection(), new DcnProjection(), new ExtensionProjection(), new OpaqueProjection()];
const TABLES = ['hosts', 'host_networks', 'learned_networks', 'host_port_overrides', 'switches', 'port_groups', 'dcns', 'host_port_revisions', 'opaque_entries', 'host_credential_revocations'];
const MIGRATIONS = [Hosts1764000000101, Switches1764000000102, Dcns1764000000103, HostPortOverrides1764000000104, OpaqueData1764000000105, HostCredentialRevocations1764000000107];

const uuid = (kind: number, i: number) => `00000000-0000-4000-8000-${kind.toString().padStart(4, '0')}${i.toString().padStart(8, '0')}`;
const HOSTS = ['h1', 'h2', 'h3'];
const network = (i: number, revision: number): LogicalNetworkConstruct =>
  ({ id: uuid(1, i), name: `n${i}`, vni: 5000 + i, mtu: 1500, transportZoneId: uuid(9, 1), revision, owner: 'network-manager' }) as LogicalNetworkConstruct;

/** One step of a random history, each drawn as a few small numbers and made valid by `toEvents`. */
const step = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.nat(50), fc.nat(50), fc.nat(50));

/** Turns drawn steps into a log whose events each make sense where they stand. */
function toEvents(steps: Array<[number, number, number, number]>): Array<Omit<RecordedEvent, 'position' | 'transactionId'>> {
  const switches: Array<{ id: string; groups: string[]; hosts: string[] }> = [];
  const dcns: Array<{ id: string; host: string }> = [];
  let groups = 0;
  let nics = 0;
  const out: Array<{ streamId: string; type: string; data: unknown }> = [];
  const put = (entity: { type: string; id: string }, key: number, value: number | null) => ({
    entity,
    namespace: 'ns',
    key: `k${key % 3}`,
    extensionKey: 'ext',
    ...(value === null ? {} : { valueJson: JSON.stringify({ v: value }) }),
  });
  for (const [kind, a, b, c] of steps) {
    const host = HOSTS[a % HOSTS.length];
    const sw = switches[b % Math.max(1, switches.length)];
    const dcn = dcns[b % Math.max(1, dcns.length)];
    switch (kind) {
      case 0:
        out.push({ streamId: `host-${host}`, type: 'HostAdded', data: { hostId: host } });
        break;
      case 1:
        out.push({ streamId: `host-${host}`, type: 'HostDiscovered', data: { hostId: host, bootId: 'b' } });
        break;
      case 2:
      case 3: {
        const upserted = [network(b % 4, 1 + (c % 3)), ...(c % 2 ? [network((b + 1) % 4, 1 + (a % 3))] : [])];
        const removed = kind === 3 ? [uuid(1, c % 4)].filter((id) => !upserted.some((n) => n.id === id)) : [];
        out.push({ streamId: `host-${host}`, type: 'HostNetworksReported', data: { hostId: host, bootId: 'b', seq: out.length, upserted, removed } });
        break;
      }
      case 4: {
        const id = uuid(2, switches.length);
        switches.push({ id, groups: [], hosts: [host] });
        out.push({ streamId: `switch-${id}`, type: 'SwitchCreated', data: { id, name: `s${switches.length}`, hostIds: [host], rollbackTimeoutMs: 30000, mtu: 1500, revision: 1 } });
        break;
      }
      case 5: {
        if (!sw) break;
        const id = uuid(3, groups++);
        sw.groups.push(id);
        out.push({
          streamId: `switch-${sw.id}`,
          type: 'PortGroupAdded',
          data: { id: sw.id, portGroup: { id, name: `pg${groups}`, vlanId: 1 + c, management: false, policy: DEFAULT_POLICY }, revision: 2 + out.length },
        });
        break;
      }
      case 6:
        if (!sw || sw.groups.length === 0) break;
        out.push({ streamId: `switch-${sw.id}`, type: 'PortGroupReconfigured', data: { id: sw.id, portGroupId: sw.groups[c % sw.groups.length], vlanId: 100 + c, revision: 2 + out.length } });
        break;
      case 7: {
        if (!sw) break;
        sw.groups = sw.groups.filter((_, i) => (c >> i) % 2 === 0);
        out.push({
          streamId: `switch-${sw.id}`,
          type: 'SwitchStateRestored',
          data: {
            id: sw.id,
            revision: 2 + out.length,
            hostIds: sw.hosts,
            portGroups: sw.groups.map((id, i) => ({ id, name: `r${i}`, vlanId: 200 + i, management: false, policy: DEFAULT_POLICY })),
            ...(a % 2 ? { opaque: [{ entity: { type: 'switch', id: sw.id }, namespace: 'ns', key: 'k0', valueJson: '{"restored":true}' }] } : {}),
            cause: 'revert',
          },
        });
        break;
      }
      case 8:
        if (!sw) break;
        out.push({ streamId: `switch-${sw.id}`, type: c % 3 ? 'OpaqueDataPut' : 'OpaqueDataDeleted', data: { id: sw.id, revision: 2 + out.length, ...put({ type: 'switch', id: sw.id }, a, c % 3 ? c : null) } });
        break;
      case 9: {
        const id = uuid(4, dcns.length);
        dcns.push({ id, host });
        out.push({ streamId: `dcn-${id}`, type: 'DcnCreated', data: { id, name: `vm${dcns.length}`, hostId: host } });
        break;
      }
      case 10:
        if (!dcn) break;
        nics++;
        out.push({ streamId: `dcn-${dcn.id}`, type: 'NicAttached', data: { id: dcn.id, hostId: dcn.host, nic: { id: uuid(5, nics), portId: uuid(6, nics), network: { kind: 'logical', id: uuid(1, c % 4) } } } });
        break;
      case 11: {
        if (!dcn) break;
        const to = HOSTS[c % HOSTS.length];
        if (a % 4 === 0) {
          out.push({ streamId: `dcn-${dcn.id}`, type: 'OpaqueDataPut', data: { id: dcn.id, hostIds: [dcn.host], ...put({ type: 'port', id: uuid(6, 1) }, a, c) } });
        } else if (to !== dcn.host) {
          out.push({ streamId: `dcn-${dcn.id}`, type: a % 4 === 1 ? 'DcnMigrationStarted' : 'DcnMigrated', data: { id: dcn.id, from: dcn.host, to } });
          if (a % 4 !== 1) dcn.host = to;
        }
        break;
      }
      case 12:
        out.push({ streamId: `host-${host}`, type: 'HostCredentialsRevoked', data: { hostId: host, userKey: `U${c % 3}`, revokedAt: new Date(Date.UTC(2026, 0, 2, 0, 0, c)).toISOString() } });
        break;
    }
  }
  const versions = new Map<string, number>();
  return out.map((e, i) => {
    const version = (versions.get(e.streamId) ?? 0) + 1;
    versions.set(e.streamId, version);
    return { ...e, id: uuid(7, i), version, metadata: { correlationId: 'c', causationId: null, actor: 'test' }, recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) };
  });
}

describe('rebuild pages project like inline projection (real PostgreSQL)', () => {
  const pool = new pg.Pool({ connectionString: testServers().databaseUrl, max: 2 });
  const schemas = { inline: uniqueSchema('inline'), paged: uniqueSchema('paged'), kept: uniqueSchema('kept') };

  async function withSchema<T>(schema: string, work: (client: SqlClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO ${schema}`);
      return await work(client as unknown as SqlClient);
    } finally {
      await client.query('RESET search_path');
      client.release();
    }
  }

  beforeAll(async () => {
    for (const schema of Object.values(schemas)) {
      await pool.query(`CREATE SCHEMA ${schema}`);
      await withSchema(schema, async (client) => {
        const runner = { query: (sql: string) => client.query(sql) } as unknown as QueryRunner;
        for (const Migration of MIGRATIONS) await new Migration().up(runner);
      });
    }
  });
  afterAll(async () => {
    for (const schema of Object.values(schemas)) await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  const dump = (schema: string) =>
    withSchema(schema, async (client) => {
      const out: Record<string, unknown[]> = {};
      for (const table of TABLES) {
        const { rows } = await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
        // `opaque_entries.id` is a sequence of the table: compare what it numbers, not the numbers.
        out[table] = rows.map(({ id, ...rest }) => (table === 'opaque_entries' ? rest : { id, ...rest })).map((r) => JSON.stringify(r)).sort();
      }
      return out;
    });

  it('writes held and sent together reach PostgreSQL with their values as given', async () => {
    const values = ["it's", 'back\\slash \\\' and "quotes"', '$1 {a,b} NULL', 'NULL'];
    const stored = await withSchema(schemas.kept, async (client) => {
      await client.query('CREATE TEMP TABLE written (n int, s text, a text[], j jsonb, b boolean)');
      const writes = new PipelinedWrites({ client, manager: undefined } as unknown as ProjectionContext);
      for (const [n, s] of values.entries()) {
        writes.batchContext.write('INSERT INTO written (n, s, a, j, b) VALUES ($1, $2, $3::text[], $4::jsonb, $5)', [n, s, [s, null, s], JSON.stringify({ s }), n % 2 === 0]);
      }
      writes.batchContext.write('INSERT INTO written (n, s) VALUES ($1, $2)', [values.length, null]);
      await writes.settle();
      const { rows } = await client.query('SELECT n, s, a, j, b FROM written ORDER BY n');
      await client.query('DROP TABLE written');
      return rows;
    });
    expect(stored).toEqual([
      ...values.map((s, n) => ({ n, s, a: [s, null, s], j: { s }, b: n % 2 === 0 })),
      { n: values.length, s: null, a: null, j: null, b: null },
    ]);
  });

  it('leaves every table as projecting each event in turn does, for any page cuts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 150, size: "max" }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }), async (steps, cuts) => {
        const events = toEvents(steps).map((e, i) => ({ ...e, position: i + 1, transactionId: String(i + 1) })) as RecordedEvent[];
        const context = (client: SqlClient) => ({ client, manager: undefined }) as unknown as ProjectionContext;
        for (const schema of Object.values(schemas)) await withSchema(schema, (client) => client.query(`TRUNCATE ${TABLES.join(', ')}`));
        await withSchema(schemas.inline, async (client) => {
          const all = projections();
          for (const event of events) for (const p of all) await p.apply(event, context(client));
        });
        await withSchema(schemas.paged, async (client) => {
          const all = projections();
          for (let at = 0, i = 0; at < events.length; at += cuts[i++ % cuts.length]) {
            await projectPage(events.slice(at, at + cuts[i % cuts.length]), all, context(client));
          }
        });
        // As a rebuild projects: from empty tables, each page's writes under way while the next is
        // projected, and what the projections keep of their writes carried from page to page.
        await withSchema(schemas.kept, async (client) => {
          const all = projections();
          const writes = new PipelinedWrites(context(client), new Map());
          let written: Promise<void> = Promise.resolve();
          for (let at = 0, i = 0; at < events.length; at += cuts[i++ % cuts.length]) {
            await projectPage(events.slice(at, at + cuts[i % cuts.length]), all, writes.batchContext);
            await written;
            written = writes.settle();
          }
          await written;
        });
        const inline = await dump(schemas.inline);
        expect(await dump(schemas.paged)).toEqual(inline);
        expect(await dump(schemas.kept)).toEqual(inline);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
