import {
  type DynamicModule,
  Global,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, Reflector } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { BaseServiceConfig } from '../config/service-config.js';
import { CREDENTIALS, credentialsProvider } from '../credentials/credentials.provider.js';
import type { CredentialsSource } from '../credentials/credentials.source.js';
import { AdminTokenGuard } from '../http/admin-token.guard.js';
import { AllExceptionsFilter } from '../http/all-exceptions.filter.js';
import { CorrelationMiddleware } from '../http/correlation.middleware.js';
import { HEALTH_CHECKS } from '../http/health.js';
import { JsonBodyMiddleware } from '../http/json-body.middleware.js';
import { UrlCharactersMiddleware } from '../http/url-characters.middleware.js';
import { HealthController } from '../http/health.controller.js';
import { MetricsController } from '../http/metrics.js';
import { DependencyMetrics } from '../metrics/dependency.metrics.js';
import { EventLogMetrics } from '../metrics/event-log.metrics.js';
import { HttpMetrics } from '../metrics/http.metrics.js';
import { MetricsRegistry } from '../metrics/metrics-registry.js';
import { TransportMetrics } from '../metrics/transport.metrics.js';
import { createValidationPipe } from '../http/validation.js';
import { HealthRegistry } from './health-registry.js';
import { type NatsClient, natsClientProvider, natsConnectionProvider } from './nats.provider.js';
import { NATS_CLIENT, NATS_CONNECTION, SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';

export interface CoreModuleOptions {
  service: string;
  config: BaseServiceConfig;
  /**
   * `await` (the default): the app starts once NATS is reached, and NATS_CONNECTION is provided.
   * `background`: the app starts at once; users wait on NATS_CLIENT.connected().
   */
  natsAtBoot?: 'await' | 'background';
}

/** The edges every service shares: config, NATS, token guard, errors, validation, /health, /metrics. */
@Global()
@Module({})
export class VnetCoreModule implements NestModule, OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(NATS_CLIENT) private readonly nats: NatsClient,
    private readonly health: HealthRegistry,
    @Inject(CREDENTIALS) private readonly credentials: CredentialsSource,
  ) {}

  static forRoot(options: CoreModuleOptions): DynamicModule {
    return {
      module: VnetCoreModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: SERVICE_NAME, useValue: options.service },
        natsClientProvider,
        credentialsProvider(options.config),
        ...(options.natsAtBoot === 'background' ? [] : [natsConnectionProvider]),
        HealthRegistry,
        { provide: HEALTH_CHECKS, inject: [HealthRegistry], useFactory: (r: HealthRegistry) => r.checks },
        MetricsRegistry,
        HttpMetrics,
        EventLogMetrics,
        TransportMetrics,
        DependencyMetrics,
        {
          provide: APP_GUARD,
          inject: [Reflector, CREDENTIALS],
          useFactory: (reflector: Reflector, credentials: CredentialsSource) => new AdminTokenGuard(reflector, credentials),
        },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [
        SERVICE_CONFIG,
        SERVICE_NAME,
        NATS_CLIENT,
        ...(options.natsAtBoot === 'background' ? [] : [NATS_CONNECTION]),
        HealthRegistry,
        MetricsRegistry,
        HttpMetrics,
        EventLogMetrics,
        TransportMetrics,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Answers are counted by HttpMetrics, mounted before the body parser (see bootstrapService).
    consumer.apply(CorrelationMiddleware, UrlCharactersMiddleware, JsonBodyMiddleware).forRoutes('{*path}');
  }

  onModuleInit(): void {
    this.health.register({
      name: 'nats',
      check: async () => {
        const nc = this.nats.current();
        if (!nc) throw new Error('not connected yet');
        if (nc.isClosed()) throw new Error('connection closed');
        // A round trip proves the server answers, not only that a socket is open.
        const rtt = await nc.rtt();
        return { rttMs: Math.round(rtt * 100) / 100 };
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.credentials.stop();
    const nc = this.nats.current();
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}
