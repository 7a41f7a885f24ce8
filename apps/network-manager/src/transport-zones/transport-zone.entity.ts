import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'transport_zones' })
export class TransportZoneEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** Global position of the creating event: lists are oldest first. */
  @Column('bigint', { name: 'created_position', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  createdPosition!: number;
}
