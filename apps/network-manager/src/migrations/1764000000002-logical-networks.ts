import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LogicalNetworks1764000000002 implements MigrationInterface {
  name = 'LogicalNetworks1764000000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE logical_networks (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      vni integer NOT NULL,
      mtu integer NOT NULL,
      transport_zone_id uuid NOT NULL,
      revision integer NOT NULL,
      created_position bigint NOT NULL,
      -- A VNI names one network across the manager.
      CONSTRAINT logical_networks_vni UNIQUE (vni)
    )`);
    await runner.query('CREATE INDEX logical_networks_zone ON logical_networks (transport_zone_id)');
    await runner.query('CREATE INDEX logical_networks_created ON logical_networks (created_position)');
    await runner.query(`CREATE TABLE transport_nodes (
      host_id text PRIMARY KEY,
      transport_zone_ids uuid[] NOT NULL,
      created_position bigint NOT NULL
    )`);
    await runner.query(`CREATE TABLE network_realizations (
      host_id text NOT NULL,
      network_id uuid NOT NULL,
      revision integer NOT NULL,
      PRIMARY KEY (host_id, network_id)
    )`);
    await runner.query('CREATE INDEX network_realizations_network ON network_realizations (network_id)');
    await runner.query(`CREATE TABLE logical_ports (
      host_id text NOT NULL,
      port_id text NOT NULL,
      network_id uuid NOT NULL,
      dcn_id text,
      PRIMARY KEY (host_id, port_id)
    )`);
    await runner.query('CREATE INDEX logical_ports_network ON logical_ports (network_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE logical_ports, network_realizations, transport_nodes, logical_networks');
  }
}
