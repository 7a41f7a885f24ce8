import { mkdtempSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServiceRoles, startNats, startPostgres } from '../../scripts/lib/stack.mjs';

/**
 * One throw-away NATS (JetStream) and PostgreSQL for the whole run, on free ports in a temp dir.
 * Suites isolate themselves (a schema, a stream or a subject prefix of their own).
 * Workers inherit the URLs through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vnet-test-'));
  // PostgreSQL runs as its own account when we are root: let it reach its directory.
  chmodSync(dir, 0o755);
  const [nats, pg] = await Promise.all([
    startNats({ dir: join(dir, 'nats') }),
    startPostgres({ dir: join(dir, 'postgres'), settings: { max_connections: '400' } }),
  ]);
  // The managers' roles, once for the cluster; each suite grants them their schemas in its database.
  process.env.VNET_TEST_DB_ROLES = JSON.stringify(await ensureServiceRoles(pg.url, join(dir, 'postgres')));
  process.env.VNET_TEST_NATS_URL = nats.url;
  process.env.VNET_TEST_DATABASE_URL = pg.url;
  process.env.VNET_TEST_DIR = dir;
  writeFileSync(join(dir, 'servers.json'), JSON.stringify({ nats: nats.pid, postgres: pg.pid }));
  (globalThis as Record<string, unknown>).__vnetServers = { dir, nats, pg };
}
