import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The run's shared servers, started by global-setup. */
export function testServers(): { natsUrl: string; databaseUrl: string; dir: string } {
  const natsUrl = process.env.VNET_TEST_NATS_URL;
  const databaseUrl = process.env.VNET_TEST_DATABASE_URL;
  const dir = process.env.VNET_TEST_DIR;
  if (!natsUrl || !databaseUrl || !dir)
    throw new Error('test servers are not running: run through jest with the harness global setup');
  return { natsUrl, databaseUrl, dir };
}

/** A fresh schema name, so that suites sharing the server never see each other's rows. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function testPool(max = 20): pg.Pool {
  return new pg.Pool({ connectionString: testServers().databaseUrl, max });
}

/** The managers' PostgreSQL roles (created by global-setup): see grantServiceSchemas. */
export function testDatabaseRoles(): import('../../scripts/lib/stack.mjs').ServiceRoles {
  const roles = process.env.VNET_TEST_DB_ROLES;
  if (!roles) throw new Error('test servers are not running: run through jest with the harness global setup');
  return JSON.parse(roles);
}
