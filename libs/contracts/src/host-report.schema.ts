import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsISO8601, IsInt, IsOptional, IsString, Matches, Min, ValidateNested, IsIn, IsUUID } from 'class-validator';
import { HOST_ID_PATTERN, type HostReport } from './host-messages.js';
import type { LogicalNetworkConstruct } from './logical-network.js';

/** Validation schemas of host reports, applied by every consumer before anything of a report is used. */
export class HeldNetworkSchema {
  @IsUUID()
  id!: string;

  @IsInt()
  @Min(1)
  revision!: number;
}

export class ConstructSchema implements LogicalNetworkConstruct {
  @IsUUID()
  id!: string;
  @IsString()
  name!: string;
  @IsInt()
  vni!: number;
  @IsInt()
  mtu!: number;
  @IsUUID()
  transportZoneId!: string;
  @IsInt()
  @Min(1)
  revision!: number;
  @IsIn(['network-manager'])
  owner!: 'network-manager';
}

export class ReportedLogicalPortSchema {
  @IsString()
  id!: string;

  @IsUUID()
  logicalNetworkId!: string;

  @IsOptional()
  @IsString()
  dcnId!: string | null;
}

export class ReportedSwitchSchema {
  @IsString()
  id!: string;

  @IsInt()
  @Min(0)
  revision!: number;
}

/** The schema a host report must meet before anything of it is applied. */
export class HostReportMessage implements HostReport {
  @Matches(HOST_ID_PATTERN)
  hostId!: string;

  @IsString()
  bootId!: string;

  @IsInt()
  @Min(0)
  seq!: number;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => HeldNetworkSchema)
  held?: HeldNetworkSchema[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ConstructSchema)
  upserted!: ConstructSchema[];

  @IsArray()
  @IsUUID('all', { each: true })
  removed!: string[];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReportedLogicalPortSchema)
  logicalPorts?: ReportedLogicalPortSchema[];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReportedSwitchSchema)
  switches?: ReportedSwitchSchema[];

  @IsISO8601()
  sentAt!: string;
}
