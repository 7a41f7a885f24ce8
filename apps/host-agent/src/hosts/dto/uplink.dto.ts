import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, Max, Min } from 'class-validator';

export class UplinkDto {
  @ApiProperty({
    type: 'integer',
    isArray: true,
    minimum: 0,
    maximum: 4094,
    maxItems: 4095,
    example: [0, 100],
    description: 'VLANs the physical port carries (0–4094); empty carries all',
  })
  @IsArray({ message: 'allowedVlans must be an array of VLAN ids' })
  @ArrayMaxSize(4095, { message: 'allowedVlans must have at most 4095 entries' })
  @IsInt({ each: true, message: 'allowedVlans must contain integers from 0 to 4094' })
  @Min(0, { each: true, message: 'allowedVlans must contain integers from 0 to 4094' })
  @Max(4094, { each: true, message: 'allowedVlans must contain integers from 0 to 4094' })
  allowedVlans!: number[];
}

export class UplinkView {
  @ApiProperty({ type: 'integer', isArray: true, description: 'VLANs the simulated physical port carries; empty carries all' })
  allowedVlans!: number[];
}
