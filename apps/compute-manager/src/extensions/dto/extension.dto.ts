import { ApiProperty } from '@nestjs/swagger';
import { OPAQUE_NAMESPACE_MAX_LENGTH, OPAQUE_NAMESPACE_PATTERN } from '@vnet/contracts';
import { ArrayMaxSize, IsArray, IsString, Matches, MaxLength } from 'class-validator';

const DOTTED = OPAQUE_NAMESPACE_PATTERN.source;

export class RegisterExtensionDto {
  @ApiProperty({
    description: "the extension's own dotted name, also its `X-Extension-Key`",
    example: 'com.acme.monitor',
    pattern: DOTTED,
    maxLength: 128,
  })
  @IsString()
  @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH)
  @Matches(OPAQUE_NAMESPACE_PATTERN, { message: `key must be a dotted name matching ${DOTTED}` })
  key!: string;

  @ApiProperty({
    description: 'namespaces the extension owns from now on (added to those it has; none is taken away)',
    type: [String],
    example: ['com.acme.monitor', 'com.acme.monitor.v2'],
    items: { type: 'string', pattern: DOTTED, maxLength: 128 },
    maxItems: 1000,
  })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(OPAQUE_NAMESPACE_MAX_LENGTH, { each: true })
  @Matches(OPAQUE_NAMESPACE_PATTERN, { each: true, message: `namespaces must hold dotted names matching ${DOTTED}` })
  namespaces!: string[];
}

export class ExtensionView {
  @ApiProperty({ example: 'com.acme.monitor' })
  key!: string;

  @ApiProperty({ type: [String], description: 'every namespace the extension owns, in the order they were registered' })
  namespaces!: string[];
}
