import { ApiProperty } from '@nestjs/swagger';
import { HOST_ID_PATTERN } from '@vnet/contracts';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class AddHostDto {
  @ApiProperty({ example: 'host-1', pattern: HOST_ID_PATTERN.source })
  @Matches(HOST_ID_PATTERN, { message: 'hostId must match ^[A-Za-z0-9_-]{1,64}$' })
  hostId!: string;
}

export class HostView {
  @ApiProperty({ example: 'host-1' })
  hostId!: string;
  @ApiProperty({ enum: ['connected', 'disconnected'] })
  connectionState!: 'connected' | 'disconnected';
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeenAt!: string | null;
  @ApiProperty({ type: [String], description: 'ids of the read-only constructs obtained from that host' })
  logicalNetworks!: string[];
}

export class RevokeCredentialsDto {
  @ApiProperty({ description: "the host's credentials: its `nats.creds` file's text, or the user JWT in it" })
  @IsString({ message: 'credentials must be a string' })
  @MinLength(1, { message: 'credentials must not be empty' })
  @MaxLength(16384, { message: 'credentials must be at most 16384 characters' })
  credentials!: string;
}

export class RevokedCredentialsView {
  @ApiProperty({ example: 'host-1' })
  hostId!: string;
  @ApiProperty({ description: 'public key of the revoked NATS user' })
  userKey!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'when they were first revoked' })
  revokedAt!: string;
  @ApiProperty({ description: 'true when these credentials had been revoked before (nothing new was recorded)' })
  alreadyRevoked!: boolean;
}

export class CredentialsRevocationView {
  @ApiProperty({ description: 'public key of the revoked NATS user' })
  userKey!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  revokedAt!: string;
}
