import { Logger, type Provider } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { BaseServiceConfig } from '../config/service-config.js';
import { NATS_CONNECTION, SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';

/**
 * One connection per process, reconnecting forever: a NATS restart delays traffic, it does not
 * end the service.
 */
export const natsConnectionProvider: Provider = {
  provide: NATS_CONNECTION,
  inject: [SERVICE_CONFIG, SERVICE_NAME],
  useFactory: async (config: BaseServiceConfig, service: string): Promise<NatsConnection> => {
    const logger = new Logger('Nats');
    const nc = await connect({
      servers: config.NATS_URL.split(',').map((s) => s.trim()),
      name: service,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
      pingInterval: 10000,
    });
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
          logger.warn({ msg: `nats ${status.type}`, server: (status as { server?: string }).server });
        }
      }
    })();
    return nc;
  },
};
