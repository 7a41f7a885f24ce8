import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** What every service reads from its environment (CONTRACT §1). */
export class BaseServiceConfig {
  @IsString()
  @MinLength(8, { message: 'ADMIN_TOKEN must be at least 8 characters' })
  ADMIN_TOKEN!: string;

  /** Named credentials `[{name, token, role}]` (default `VNET_DATA_DIR/tokens.json` when present). */
  @IsOptional()
  @IsString()
  ADMIN_TOKENS_FILE?: string;

  @Matches(/^(nats|tls|ws|wss):\/\/\S+$/, { message: 'NATS_URL must be a nats:// URL (comma-separated for a cluster)' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /** The service's NATS credentials (a `.creds` file: user JWT and seed); none for a server without auth. */
  @IsOptional()
  @IsString()
  NATS_CREDS?: string;

  /**
   * Where the service's replies arrive (`_INBOX_<service>` unless said otherwise): the subjects its
   * credentials let it, and only it, subscribe to.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { message: 'NATS_INBOX_PREFIX must be a literal subject' })
  NATS_INBOX_PREFIX?: string;

  /**
   * Replicas of every stream, KV bucket and object store the services create: 1 on one server, 3 on
   * a 3-node cluster (at most the cluster's size; JetStream allows up to 5).
   */
  @IsInt({ message: 'NATS_REPLICAS must be an integer from 1 to 5' })
  @Min(1, { message: 'NATS_REPLICAS must be an integer from 1 to 5' })
  @Max(5, { message: 'NATS_REPLICAS must be an integer from 1 to 5' })
  NATS_REPLICAS: number = 1;

  @IsString()
  BIND_ADDRESS: string = '127.0.0.1';

  @IsString()
  VNET_DATA_DIR: string = '.vnet';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';
}

/** A manager: owns an event log in PostgreSQL. */
export class ManagerConfig extends BaseServiceConfig {
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = 20;

  /**
   * How long `POST /admin/rebuild` waits for the rebuild to end before it answers 202 with the
   * rebuild to follow (`GET /admin/rebuilds/:id`) instead of 200 with its result.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600000)
  REBUILD_SYNC_WAIT_MS: number = 2000;
}

export function portField(): PropertyDecorator {
  return (target, key) => {
    IsInt({ message: `${String(key)} must be a port number` })(target, key);
    Min(1, { message: `${String(key)} must be a port number` })(target, key);
    Max(65535, { message: `${String(key)} must be a port number` })(target, key);
  };
}
