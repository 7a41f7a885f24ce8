import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class ManagementRestoreDto {
  @ApiProperty({ example: 10, description: 'VLAN (0–4094) the clone of the management port carries' })
  @IsInt({ message: 'vlanId must be an integer from 0 to 4094' })
  @Min(0, { message: 'vlanId must be an integer from 0 to 4094' })
  @Max(4094, { message: 'vlanId must be an integer from 0 to 4094' })
  vlanId!: number;
}

export interface ManagementRestoreView {
  clonePortId: string;
}
