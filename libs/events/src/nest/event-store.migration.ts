import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventStoreDdl } from '../store/schema.js';

/** The event store's tables, as the first migration of every service that owns a log. */
export function eventStoreMigration(schema: string): new () => MigrationInterface {
  return class EventStore1764000000000 implements MigrationInterface {
    name = 'EventStore1764000000000';

    async up(runner: QueryRunner): Promise<void> {
      for (const statement of eventStoreDdl(schema)) await runner.query(statement);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE IF EXISTS "${schema}".events, "${schema}".streams, "${schema}".snapshots,
        "${schema}".checkpoints, "${schema}".handled_messages, "${schema}".idempotency_keys`);
    }
  };
}
