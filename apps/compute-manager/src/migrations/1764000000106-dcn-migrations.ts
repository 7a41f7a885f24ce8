import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DcnMigrations1764000000106 implements MigrationInterface {
  name = 'DcnMigrations1764000000106';

  async up(runner: QueryRunner): Promise<void> {
    // The migrations under way: operational state (like tasks), not a read model of the log. A
    // rebuild keeps it, and a migration that ends without a move records nothing.
    await runner.query(`CREATE TABLE dcn_migrations (
      dcn_id uuid PRIMARY KEY,
      target_host_id text NOT NULL,
      started_at timestamptz NOT NULL
    )`);
    await runner.query('CREATE INDEX dcn_migrations_target ON dcn_migrations (target_host_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE dcn_migrations');
  }
}
