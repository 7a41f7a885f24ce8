import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BaseServiceConfig } from '../config/service-config.js';
import { IDEMPOTENCY_STORE } from '../http/idempotency.store.js';
import { createServiceDocument } from '../http/openapi-document.js';
import { JsonLogger } from '../logging/json-logger.js';
import { randomUUID } from 'node:crypto';
import { requestContext } from '../logging/correlation.js';
import { JetStreamExceptionFilter, JetStreamServer, withReplicas, type JetStreamContext, type StreamSpec } from '../transport/index.js';
import { HttpMetrics } from '../metrics/http.metrics.js';
import type { RouterLike } from '../metrics/route-template.js';
import { TransportMetrics } from '../metrics/transport.metrics.js';
import { NATS_CONNECTION } from './tokens.js';

export interface BootstrapOptions {
  service: string;
  title: string;
  config: BaseServiceConfig;
  port: number;
  /** Fields every log line carries (such as the host id). */
  logFields?: Record<string, unknown>;
  /**
   * Streams this service consumes from, ensured at boot (with NATS_REPLICAS replicas, also when one
   * lost is created again); with them, @EventPattern handlers run.
   */
  consumes?: StreamSpec[];
}

/** How many times a consumer's message is delivered before it is dead-lettered (see bootstrapService). */
export const MAX_DELIVER = 200;

/** Creates, documents and starts a service: HTTP on BIND_ADDRESS, JetStream handlers, shutdown hooks. */
export async function bootstrapService(
  module: Type<unknown> | DynamicModule,
  options: BootstrapOptions,
): Promise<INestApplication> {
  const logger = new JsonLogger(options.service, options.config.LOG_LEVEL, options.logFields);
  // The parsers are mounted by hand, after the request counter: an answer the parser gives (400
  // for malformed JSON, 413) must be counted too. `rawBody` keeps the body's bytes beside the parsed
  // body (`req.rawBody`), for a route that must pass a value on exactly as it was sent.
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger,
    abortOnError: false,
    bodyParser: false,
    rawBody: true,
  });
  app.enableShutdownHooks();
  const express = app.getHttpAdapter().getInstance() as { router?: RouterLike };
  const httpMetrics = provided(app, HttpMetrics);
  if (httpMetrics) app.use(httpMetrics.middleware(() => express.router));
  app.useBodyParser('json');
  app.useBodyParser('urlencoded', { extended: true });

  const document = createServiceDocument(app, { title: options.title, idempotency: provided(app, IDEMPOTENCY_STORE) !== null });
  SwaggerModule.setup('docs', app, document);

  if (options.consumes) {
    const nc = app.get<NatsConnection>(NATS_CONNECTION);
    const server = new JetStreamServer({
      connection: async () => nc,
      durablePrefix: options.service,
      streams: withReplicas(options.consumes, options.config.NATS_REPLICAS),
      // Bounded: with the backoff (1 s doubling to 30 s) 200 deliveries are about 1.6 h of retries
      // of a transient fault before the message is a dead letter (logged, counted, published on the
      // dead-letter subject); what it would have recorded can be rebuilt from the log. A message that
      // can never succeed (InvalidMessageError) is a dead letter at once.
      maxDeliver: MAX_DELIVER,
      logger,
    });
    // Handlers run with the message's correlation id current, so their logs and events carry it.
    server.setOnProcessingStartHook((_transport, ctx, done) =>
      requestContext.run({ correlationId: (ctx as JetStreamContext).getCorrelationId() ?? randomUUID(), actor: 'system' }, done),
    );
    // The application's lifecycle hooks run once, here: a deferred microservice would otherwise run
    // onModuleInit and onApplicationBootstrap a second time on the shared container (two relays).
    await app.init();
    const microservice = app.connectMicroservice({ strategy: server }, { deferInitialization: true });
    (microservice as unknown as { setIsInitHookCalled(called: boolean): void }).setIsInitHookCalled(true);
    const transportMetrics = provided(app, TransportMetrics);
    if (transportMetrics) {
      server.on('redelivery', (entry) => transportMetrics.redelivered(entry.consumer));
      server.on('deadLetter', (entry) => transportMetrics.deadLettered(entry.consumer));
      transportMetrics.watch(nc, server);
    }
    // Handler errors must reach the transport as they are (retry, or dead letter), not as Nest's
    // generic RPC error; handler classes also name this filter so the HTTP one never takes them.
    microservice.useGlobalFilters(new JetStreamExceptionFilter());
    await app.startAllMicroservices();
  }
  await app.listen(options.port, options.config.BIND_ADDRESS);
  logger.log({ msg: `${options.service} listening`, url: `http://${options.config.BIND_ADDRESS}:${options.port}` }, 'Bootstrap');
  return app;
}

/**
 * A provider of the app, or null when its modules do not provide it (a test app without the core
 * module). Asked through the root ModuleRef: the app itself logs an error for every provider it
 * cannot find before it throws, and an absent one is no error here.
 */
function provided<T>(app: INestApplication, type: Type<T> | symbol): T | null {
  try {
    return app.get(ModuleRef).get(type, { strict: false });
  } catch {
    return null;
  }
}

/** Runs `main`, turning a failure to start (such as a bad variable) into a message and exit code 1. */
export function runMain(service: string, main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'fatal', service, msg: String((err as Error)?.message ?? err) })}\n`,
    );
    process.exit(1);
  });
}
