import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TasksStartedAt1764000000120 implements MigrationInterface {
  name = 'TasksStartedAt1764000000120';

  async up(runner: QueryRunner): Promise<void> {
    // The live topology shows the latest tasks: read newest first without sorting the whole table.
    await runner.query('CREATE INDEX tasks_started_at ON tasks (started_at DESC)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX tasks_started_at');
  }
}
