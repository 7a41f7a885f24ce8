import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventFilterStatisticsDdl, eventObjectOrderIndexDdl, eventStoreDdl, snapshotHistoryDdl } from '../store/schema.js';

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

/** The index that pages one object's events in global order, for logs created before it was in the DDL. */
export function eventObjectOrderMigration(schema: string): new () => MigrationInterface {
  return class EventObjectOrder1765000000000 implements MigrationInterface {
    name = 'EventObjectOrder1765000000000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(eventObjectOrderIndexDdl(schema));
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP INDEX IF EXISTS "${schema}".events_object_order`);
    }
  };
}

/** A snapshot kept every N events of a stream, not only the latest (point-in-time reads start from one). */
export function snapshotHistoryMigration(schema: string): new () => MigrationInterface {
  return class SnapshotHistory1766000000000 implements MigrationInterface {
    name = 'SnapshotHistory1766000000000';

    async up(runner: QueryRunner): Promise<void> {
      for (const statement of snapshotHistoryDdl(schema)) await runner.query(statement);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DELETE FROM "${schema}".snapshots s USING (
        SELECT stream_id, max(version) AS version FROM "${schema}".snapshots GROUP BY stream_id) latest
        WHERE s.stream_id = latest.stream_id AND s.version < latest.version`);
      await runner.query(`ALTER TABLE "${schema}".snapshots DROP CONSTRAINT snapshots_pkey, ADD PRIMARY KEY (stream_id)`);
    }
  };
}

/** Statistics on the metadata `/events` filters by, for logs created before they were in the DDL. */
export function eventFilterStatisticsMigration(schema: string): new () => MigrationInterface {
  return class EventFilterStatistics1767000000000 implements MigrationInterface {
    name = 'EventFilterStatistics1767000000000';

    async up(runner: QueryRunner): Promise<void> {
      for (const statement of eventFilterStatisticsDdl(schema)) await runner.query(statement);
      await runner.query(`ANALYZE "${schema}".events`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP STATISTICS IF EXISTS "${schema}".events_actor, "${schema}".events_correlation`);
    }
  };
}
