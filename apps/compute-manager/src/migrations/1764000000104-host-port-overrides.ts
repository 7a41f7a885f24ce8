import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HostPortOverrides1764000000104 implements MigrationInterface {
  name = 'HostPortOverrides1764000000104';

  async up(runner: QueryRunner): Promise<void> {
    // Ports of a host configured apart from their port group (a repaired management port, §6.5).
    await runner.query(`CREATE TABLE host_port_overrides (
      host_id text NOT NULL,
      switch_id uuid NOT NULL,
      port_id text NOT NULL,
      vlan_id integer NOT NULL,
      from_revision integer NOT NULL,
      PRIMARY KEY (host_id, switch_id, port_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE host_port_overrides');
  }
}
