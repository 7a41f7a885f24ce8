import 'reflect-metadata';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import type { HostApplyStatus, ManagementRepairRequest } from './compute-switch.js';
import { CORRELATION_ID_PATTERN } from './desired-state.js';
import { HOST_ID_PATTERN } from './host-messages.js';

/** The schema a host's apply status must meet before the compute manager counts it for a task. */
export class HostApplyStatusMessage implements HostApplyStatus {
  @Matches(HOST_ID_PATTERN)
  hostId!: string;

  @IsIn(['switch', 'ports'])
  kind!: 'switch' | 'ports';

  @IsString()
  @MaxLength(64)
  targetId!: string;

  @IsInt()
  @Min(0)
  revision!: number;

  @IsIn(['applied', 'rolled_back', 'failed'])
  state!: 'applied' | 'rolled_back' | 'failed';

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  detail?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  restoredRevision?: number;

  @IsOptional()
  @Matches(CORRELATION_ID_PATTERN)
  correlationId?: string;

  @IsISO8601()
  sentAt!: string;
}

/** The schema of a host's request to repair its management port after a restore through a clone. */
export class ManagementRepairRequestMessage implements ManagementRepairRequest {
  @Matches(HOST_ID_PATTERN)
  hostId!: string;

  @IsUUID()
  switchId!: string;

  @IsString()
  @MaxLength(128)
  portId!: string;

  @IsString()
  @MaxLength(128)
  clonePortId!: string;

  @IsInt()
  @Min(1)
  lastConnectedRevision!: number;

  @IsISO8601()
  sentAt!: string;
}
