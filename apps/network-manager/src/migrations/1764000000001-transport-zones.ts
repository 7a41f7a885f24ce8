import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TransportZones1764000000001 implements MigrationInterface {
  name = 'TransportZones1764000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE transport_zones (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      created_position bigint NOT NULL
    )`);
    await runner.query('CREATE INDEX transport_zones_created ON transport_zones (created_position)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE transport_zones');
  }
}
