import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Dcns1764000000103 implements MigrationInterface {
  name = 'Dcns1764000000103';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE dcns (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      host_id text NOT NULL,
      migrating_to text,
      nics jsonb NOT NULL DEFAULT '[]',
      created_position bigint NOT NULL
    )`);
    await runner.query('CREATE INDEX dcns_host ON dcns (host_id)');
    await runner.query('CREATE INDEX dcns_migrating_to ON dcns (migrating_to) WHERE migrating_to IS NOT NULL');
    // Each host's ports desired state has a revision of its own, moved by every change of its ports.
    await runner.query(`CREATE TABLE host_port_revisions (
      host_id text PRIMARY KEY,
      revision integer NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE host_port_revisions, dcns');
  }
}
