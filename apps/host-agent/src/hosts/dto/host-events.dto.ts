import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { JournalEntryType } from '../../audit/journal-entry.js';
import { LOG_POSITION_MAX } from '@vnet/events';

/** Every type of entry of a host's journal (a record, so that a new type cannot be left out). */
const ENTRY_TYPES: Record<JournalEntryType, string> = {
  SwitchRevisionApplied: '{switchId, revision, fromRevision, portsChanged}: a switch revision runs here',
  SwitchDropped: '{switchId, revision}: the host left the switch',
  ChangeProven: '{switchId, revision}: a management round trip came back through the change',
  ChangeRolledBack: '{switchId, revision, restoredRevision, reason}: not proven in time, the saved revision runs again',
  PortsApplied: '{revision, added, removed, changed}: a ports revision taken, with the DCN port ids it touched',
  ConstructApplied: '{networkId, revision, transportZoneId}: a read-only construct held at that revision',
  ConstructRemoved: '{networkId, revision}: a construct no longer held',
  ManagementCloned: "{switchId, portId, clonePortId, vlanId}: the console's repair moved management onto a clone",
  ManagementOverrideRecorded: '{switchId, portId, portsRevision}: the compute manager acknowledged the repair',
  OverrideApplied: '{switchId, portId, vlanId, portsRevision}: the override arrived, management moves back',
  ManagementRepaired: '{switchId, portId, clonePortId}: the original port proven, the clone removed',
  ManagementRepairFailed: '{switchId, portId, detail}: the original port not proven in time, the clone stays',
  UplinkSet: '{allowedVlans}: the simulated physical port changed',
};

export class HostEventsQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: LOG_POSITION_MAX,
    description: 'return entries after this position (a `next` value)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be an integer position' })
  @Min(0, { message: 'after must be 0 or more' })
  @Max(LOG_POSITION_MAX, { message: 'after must be an integer position' })
  after: number = 0;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 1000' })
  @Min(1, { message: 'limit must be an integer from 1 to 1000' })
  @Max(1000, { message: 'limit must be an integer from 1 to 1000' })
  limit: number = 100;
}

export class HostEventView {
  @ApiProperty({ type: 'integer', minimum: 1, description: "position in the host's journal" })
  position!: number;
  @ApiProperty({
    enum: Object.keys(ENTRY_TYPES),
    description: Object.entries(ENTRY_TYPES)
      .map(([type, what]) => `\`${type}\` ${what}`)
      .join('; '),
  })
  type!: JournalEntryType;
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: unknown;
  @ApiProperty({ format: 'date-time', description: "when the host applied it (the host's clock)" })
  recordedAt!: string;
}

/** `GET /hosts/:hostId/events`: a page of the host's own journal, paged like `/events` (CONTRACT §2, §4). */
export class HostEventPage {
  @ApiProperty({ type: [HostEventView] })
  events!: HostEventView[];
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'pass as `after` for the following page; null when nothing more is recorded yet',
  })
  next!: number | null;
}
