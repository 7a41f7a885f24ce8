import { BaseServiceConfig, portField } from '@vnet/events';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class HostAgentConfig extends BaseServiceConfig {
  @portField()
  HOST_AGENT_PORT: number = 7103;

  /** Simulated hosts host-1 … host-N (ignored when HOST_ID is set). */
  @IsInt({ message: 'HOSTS must be an integer from 0 to 100000' })
  @Min(0, { message: 'HOSTS must be an integer from 0 to 100000' })
  @Max(100000, { message: 'HOSTS must be an integer from 0 to 100000' })
  HOSTS: number = 4;

  /** The account's scoped signing key for hosts: with it, each host's credentials are written when it is created. */
  @IsOptional()
  @IsString()
  NATS_HOST_SIGNING_KEY?: string;

  /** The public key of the account hosts belong to (with NATS_HOST_SIGNING_KEY; by default NATS_CREDS's account). */
  @IsOptional()
  @Matches(/^A[A-Z2-7]{55}$/, { message: 'NATS_ACCOUNT must be an account public key' })
  NATS_ACCOUNT?: string;

  /** Serve exactly this one host, as on a real hypervisor. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'HOST_ID must match ^[A-Za-z0-9_-]{1,64}$' })
  HOST_ID?: string;
}
