import { ManagerConfig, portField } from '@vnet/events';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class ComputeManagerConfig extends ManagerConfig {
  @portField()
  COMPUTE_MANAGER_PORT: number = 7102;

  /** How long a task waits for hosts before it fails, naming those that did not answer. */
  @IsInt({ message: 'TASK_TIMEOUT_MS must be an integer from 1000 to 3600000' })
  @Min(1000, { message: 'TASK_TIMEOUT_MS must be an integer from 1000 to 3600000' })
  @Max(3600000, { message: 'TASK_TIMEOUT_MS must be an integer from 1000 to 3600000' })
  TASK_TIMEOUT_MS: number = 15000;

  /** How long a migration waits for the target host to realize the DCN's ports. */
  @IsInt({ message: 'MIGRATION_TIMEOUT_MS must be an integer from 100 to 600000' })
  @Min(100, { message: 'MIGRATION_TIMEOUT_MS must be an integer from 100 to 600000' })
  @Max(600000, { message: 'MIGRATION_TIMEOUT_MS must be an integer from 100 to 600000' })
  MIGRATION_TIMEOUT_MS: number = 5000;

  /** The system account's credentials: with them, a host's revoked credentials are published to the server. */
  @IsOptional()
  @IsString()
  NATS_SYSTEM_CREDS?: string;

  /** A file holding the operator's signing key, which signs the account JWT carrying the revocations. */
  @IsOptional()
  @IsString()
  NATS_OPERATOR_SIGNING_KEY?: string;
}
