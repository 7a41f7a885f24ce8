import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class ManagementRestoreDto {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 4094,
    example: 10,
    description: 'VLAN the clone of the management port carries',
  })
  @IsInt({ message: 'vlanId must be an integer from 0 to 4094' })
  @Min(0, { message: 'vlanId must be an integer from 0 to 4094' })
  @Max(4094, { message: 'vlanId must be an integer from 0 to 4094' })
  vlanId!: number;
}

export class ManagementRestoreView {
  @ApiProperty({ description: 'the clone of the management port that carries management until the original is repaired' })
  clonePortId!: string;
}
