import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Switches1764000000102 implements MigrationInterface {
  name = 'Switches1764000000102';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE switches (
      id uuid PRIMARY KEY,
      state jsonb NOT NULL,
      created_position bigint NOT NULL
    )`);
    await runner.query(`CREATE TABLE port_groups (
      id uuid PRIMARY KEY,
      switch_id uuid NOT NULL
    )`);
    await runner.query('CREATE INDEX port_groups_switch ON port_groups (switch_id)');
    // Operational records of host work, not domain state: kept outside the log, survive restarts.
    await runner.query(`CREATE TABLE tasks (
      id uuid PRIMARY KEY,
      kind text NOT NULL,
      state text NOT NULL,
      hosts jsonb NOT NULL,
      target jsonb NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      deadline timestamptz NOT NULL
    )`);
    await runner.query("CREATE INDEX tasks_running ON tasks (state) WHERE state = 'running'");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE tasks, port_groups, switches');
  }
}
