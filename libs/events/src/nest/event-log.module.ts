import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource, MixedList, EntitySchema } from 'typeorm';
import type { ManagerConfig } from '../config/service-config.js';
import { EventsController } from '../http/events.controller.js';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor.js';
import { IDEMPOTENCY_STORE, PgIdempotencyStore } from '../http/idempotency.store.js';
import { PROJECTIONS, type Projection } from '../projections/projection.js';
import { JetStreamPublisher } from '../relay/jetstream-publisher.js';
import { Relay, type LockClient } from '../relay/relay.js';
import { EventLog } from '../store/event-log.js';
import type { SqlClient } from '../store/event-store.js';
import type { Upcaster } from '../store/event-upcasters.js';
import { schemaIdentifier } from '../store/schema.js';
import { eventStreamSpec, StreamGuard } from '../transport/index.js';
import {
  eventFilterStatisticsMigration,
  eventObjectOrderMigration,
  eventStoreMigration,
  snapshotHistoryMigration,
} from './event-store.migration.js';
import { EventLogMetrics } from '../metrics/event-log.metrics.js';
import { HealthRegistry } from './health-registry.js';
import { NATS_CONNECTION, SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';

type MigrationClass = new () => object;

export interface EventLogModuleOptions {
  /** The PostgreSQL schema of this service's log and read models. */
  schema: string;
  /** Read-model entities (TypeORM). */
  entities: MixedList<Function | string | EntitySchema>;
  /** Read-model migrations, after the event store's own. */
  migrations: MigrationClass[];
  projections: Projection[];
  snapshotEvery?: number;
  /** Older shapes of this service's event types, read as the current ones (see EventUpcasters). */
  upcasters?: Upcaster[];
}

/** The JetStream stream and subject prefix a service's events are published on. */
export function eventStreamOf(service: string): { name: string; subjectPrefix: string } {
  return { name: `EVENTS_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`, subjectPrefix: `events.${service}` };
}

/** The driver's pg pool: the event store's hot path runs plain SQL on the same connections. */
export function poolOf(dataSource: DataSource): SqlClient & pg.Pool {
  return (dataSource.driver as unknown as { master: SqlClient & pg.Pool }).master;
}

/**
 * Runs `read` on one connection in a read-only REPEATABLE READ transaction: every query it makes sees
 * the same snapshot. Queries given to the pool itself each take a connection, and so a snapshot, of
 * their own: reads that must agree (a revision and the content it numbers) go through here.
 */
export async function inOneSnapshot<T>(dataSource: DataSource, read: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await poolOf(dataSource).connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await read(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

@Global()
@Module({})
export class EventLogModule implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private relay: Relay | null = null;

  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(SERVICE_CONFIG) private readonly config: ManagerConfig,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
    private readonly metrics: EventLogMetrics,
  ) {}

  static forRoot(options: EventLogModuleOptions): DynamicModule {
    const schema = options.schema;
    schemaIdentifier(schema);
    return {
      module: EventLogModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [SERVICE_CONFIG],
          useFactory: async (config: ManagerConfig) => {
            await createSchema(config.DATABASE_URL, schema);
            return {
              type: 'postgres' as const,
              url: config.DATABASE_URL,
              schema,
              entities: options.entities,
              migrations: [
                eventStoreMigration(schema),
                ...options.migrations,
                eventObjectOrderMigration(schema),
                snapshotHistoryMigration(schema),
                eventFilterStatisticsMigration(schema),
              ],
              migrationsTableName: 'migrations',
              migrationsRun: true,
              migrationsTransactionMode: 'each' as const,
              synchronize: false,
              logging: false,
              // Unqualified names in migrations and raw SQL mean the service's own schema.
              // A connection that cannot be had in 3 s fails (503) rather than holding the request.
              extra: {
                max: config.DATABASE_POOL_SIZE,
                application_name: schema,
                options: `-c search_path=${schema}`,
                connectionTimeoutMillis: 3000,
              },
              // Keep trying while PostgreSQL is (re)starting.
              retryAttempts: 1000,
              retryDelay: 1000,
            };
          },
        }),
      ],
      controllers: [EventsController],
      providers: [
        { provide: PROJECTIONS, useValue: options.projections },
        {
          provide: EventLog,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) =>
            new EventLog(dataSource, poolOf(dataSource), {
              schema,
              projections: options.projections,
              snapshotEvery: options.snapshotEvery,
              upcasters: options.upcasters,
              newId: randomUUID,
            }),
        },
        {
          provide: IDEMPOTENCY_STORE,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => new PgIdempotencyStore(poolOf(dataSource), schema),
        },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [EventLog, IDEMPOTENCY_STORE],
    };
  }

  onModuleInit(): void {
    this.log.onCommitted((events) => this.metrics.committed(events));
    this.health.register({
      name: 'postgresql',
      check: async () => {
        await this.dataSource.query('SELECT 1');
      },
    });
    this.health.register({
      name: 'eventStream',
      check: async () => {
        const degraded = this.relay?.degraded;
        if (degraded) throw new Error(degraded);
      },
    });
    this.health.register({
      name: 'readModels',
      check: async () => {
        const rebuild = this.log.rebuildProgress;
        if (rebuild) throw new Error(`read models are being rebuilt (${rebuild.replayed} of ${rebuild.total} events replayed)`);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const stream = eventStreamOf(this.service);
    const jsm = await jetstreamManager(this.nc);
    // The relay's guard creates the stream again, with the same replicas, when it is lost.
    const spec = { ...eventStreamSpec(stream), replicas: this.config.NATS_REPLICAS };
    const guard = new StreamGuard(jsm, spec);
    await guard.ensure();
    const pool = poolOf(this.dataSource);
    this.relay = new Relay(
      this.log.store,
      pool as unknown as SqlClient & { connect(): Promise<LockClient> },
      new JetStreamPublisher(jetstream(this.nc)),
      {
        name: 'relay',
        schema: this.log.schemaName.replace(/"/g, ''),
        subjectPrefix: stream.subjectPrefix,
        onProgress: (cursor, atMs) => this.metrics.relayProgressed(cursor, atMs),
        stream: guard,
        onBacklog: (events) => this.metrics.relayBacklog(events),
        onError: (err) => this.logger.warn({ msg: 'relay failed, retrying', error: String((err as Error)?.message ?? err) }),
      },
    );
    this.log.onCommitted(() => this.relay?.kick());
    // Back from a NATS outage: publish the backlog now rather than at the end of the relay's backoff.
    void (async () => {
      for await (const status of this.nc.status()) if (status.type === 'reconnect') this.relay?.kick();
    })().catch(() => {});
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

async function createSchema(url: string, schema: string): Promise<void> {
  // TypeORM keeps its migrations table in the schema: it must exist before the first migration.
  const t0 = Date.now();
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      // A role that owns only its schema (no CREATE on the database) finds it made for it.
      const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (!rowCount) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schemaIdentifier(schema)}`);
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() - t0 > 120000) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
