import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

@Entity({ name: 'logical_networks' })
export class LogicalNetworkEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('integer')
  vni!: number;

  @Column('integer')
  mtu!: number;

  @Column('uuid', { name: 'transport_zone_id' })
  transportZoneId!: string;

  @Column('integer')
  revision!: number;

  @Column('bigint', { name: 'created_position', transformer: bigintAsNumber })
  createdPosition!: number;
}

@Entity({ name: 'network_realizations' })
export class NetworkRealizationEntity {
  @PrimaryColumn('text', { name: 'host_id' })
  hostId!: string;

  @PrimaryColumn('uuid', { name: 'network_id' })
  networkId!: string;

  @Column('integer')
  revision!: number;
}

@Entity({ name: 'logical_ports' })
export class LogicalPortEntity {
  @PrimaryColumn('text', { name: 'host_id' })
  hostId!: string;

  @PrimaryColumn('text', { name: 'port_id' })
  portId!: string;

  @Column('uuid', { name: 'network_id' })
  networkId!: string;

  @Column('text', { name: 'dcn_id', nullable: true })
  dcnId!: string | null;
}
