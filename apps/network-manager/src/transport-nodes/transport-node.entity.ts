import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'transport_nodes' })
export class TransportNodeEntity {
  @PrimaryColumn('text', { name: 'host_id' })
  hostId!: string;

  @Column('uuid', { name: 'transport_zone_ids', array: true })
  transportZoneIds!: string[];

  @Column('bigint', { name: 'created_position', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  createdPosition!: number;
}
