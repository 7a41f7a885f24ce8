import { ApiProperty } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { IsString, Matches } from 'class-validator';

export class AddHostDto {
  @ApiProperty({ example: 'host-5', pattern: HOST_ID_PATTERN.source })
  @IsString({ message: 'hostId must be a string' })
  @Matches(HOST_ID_PATTERN, { message: `hostId must match ${HOST_ID_PATTERN.source}` })
  hostId!: string;
}
