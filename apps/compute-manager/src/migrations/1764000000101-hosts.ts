import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Hosts1764000000101 implements MigrationInterface {
  name = 'Hosts1764000000101';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE hosts (
      host_id text PRIMARY KEY,
      added boolean NOT NULL DEFAULT false,
      first_position bigint NOT NULL
    )`);
    await runner.query(`CREATE TABLE host_networks (
      host_id text NOT NULL,
      network_id uuid NOT NULL,
      revision integer NOT NULL,
      PRIMARY KEY (host_id, network_id)
    )`);
    await runner.query('CREATE INDEX host_networks_network ON host_networks (network_id)');
    // The newest construct any host reported for each network.
    await runner.query(`CREATE TABLE learned_networks (
      id uuid PRIMARY KEY,
      construct jsonb NOT NULL,
      revision integer NOT NULL,
      first_position bigint NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE learned_networks, host_networks, hosts');
  }
}
