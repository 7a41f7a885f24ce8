import { Type } from 'class-transformer';
import { IsArray, IsISO8601, IsInt, IsOptional, IsString, Matches, Min, ValidateNested, IsIn, IsUUID } from 'class-validator';
import { HOST_ID_PATTERN, type HostReport, type LogicalNetworkConstruct } from '@vnet/contracts';

export class HeldNetworkDto {
  @IsUUID()
  id!: string;

  @IsInt()
  @Min(1)
  revision!: number;
}

export class ConstructDto implements LogicalNetworkConstruct {
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

/** The schema a host report must meet before anything of it is applied. */
export class HostReportDto implements HostReport {
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
  @Type(() => HeldNetworkDto)
  held?: HeldNetworkDto[];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ConstructDto)
  upserted!: ConstructDto[];

  @IsArray()
  @IsUUID('all', { each: true })
  removed!: string[];

  @IsISO8601()
  sentAt!: string;
}
