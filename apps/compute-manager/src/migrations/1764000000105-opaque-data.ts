import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OpaqueData1764000000105 implements MigrationInterface {
  name = 'OpaqueData1764000000105';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE extensions (
      key text PRIMARY KEY,
      created_position bigint NOT NULL
    )`);
    // A namespace belongs to one extension only: the primary key is the last word on it.
    await runner.query(`CREATE TABLE extension_namespaces (
      namespace text PRIMARY KEY,
      extension_key text NOT NULL,
      position bigint NOT NULL
    )`);
    await runner.query('CREATE INDEX extension_namespaces_key ON extension_namespaces (extension_key, position)');
    // Every version of every entry, kept so that a read at a point of the log (asOf) is a query like
    // the current one. `value_json` is the value's JSON text, as sent (text, never jsonb: jsonb would
    // reorder keys and respell numbers); NULL records a delete. `source` is '' for extensions' data,
    // the host id for data a host module sent up. `owner` is the stream whose event wrote the row.
    await runner.query(`CREATE TABLE opaque_entries (
      id bigserial PRIMARY KEY,
      position bigint NOT NULL,
      recorded_at timestamptz NOT NULL,
      owner text NOT NULL,
      source text NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      namespace text NOT NULL,
      key text NOT NULL,
      value_json text
    )`);
    await runner.query('CREATE INDEX opaque_entries_entity ON opaque_entries (entity_type, entity_id, namespace, key, source, position DESC, id DESC)');
    await runner.query('CREATE INDEX opaque_entries_owner ON opaque_entries (owner)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE opaque_entries');
    await runner.query('DROP TABLE extension_namespaces');
    await runner.query('DROP TABLE extensions');
  }
}
