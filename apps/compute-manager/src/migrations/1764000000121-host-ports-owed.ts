import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HostPortsOwed1764000000121 implements MigrationInterface {
  name = 'HostPortsOwed1764000000121';

  async up(runner: QueryRunner): Promise<void> {
    // A host's ports revision that no event records (a migration's abort) and that its bucket may
    // not hold yet: put again until it does. Operational state, like dcn_migrations: a rebuild keeps it.
    await runner.query(`CREATE TABLE host_ports_owed (
      host_id text PRIMARY KEY,
      revision integer NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE host_ports_owed');
  }
}
