import { Logger, type Provider } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { BaseServiceConfig } from '../config/service-config.js';
import { natsIsUp } from '../transport/connection-state.js';
import { NATS_CLIENT, NATS_CONNECTION, SERVICE_CONFIG, SERVICE_NAME } from './tokens.js';

/** The process's NATS connection, which may not exist yet: a host agent serves from its store without it. */
export interface NatsClient {
  /** Resolves once NATS has been reached (at once when it has). */
  connected(): Promise<NatsConnection>;
  /** The connection, or null while NATS has never been reached. */
  current(): NatsConnection | null;
}

/**
 * One connection per process, reconnecting forever: a NATS restart delays traffic, it does not end
 * the service. Connecting starts at boot and is not awaited here.
 */
export const natsClientProvider: Provider = {
  provide: NATS_CLIENT,
  inject: [SERVICE_CONFIG, SERVICE_NAME],
  useFactory: (config: BaseServiceConfig, service: string): NatsClient => {
    const logger = new Logger('Nats');
    let connection: NatsConnection | null = null;
    const connecting = connect({
      servers: config.NATS_URL.split(',').map((s) => s.trim()),
      name: service,
      ...natsAuthOptions(config, service),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
      pingInterval: 10000,
      // nats.js gives up for good after the same authentication error twice in a row, and a process
      // too busy to send CONNECT within the server's authentication timeout (thousands of hosts'
      // messages queued after a slow-consumer disconnect) gets "Authentication Timeout" on every
      // attempt until it catches up: the connection would stay closed for the life of the process.
      ignoreAuthErrorAbort: true,
    }).then((nc) => {
      connection = nc;
      natsIsUp(nc); // starts watching its status: a call that needs NATS can then fail at once

      void (async () => {
        for await (const status of nc.status()) {
          if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
            const { server, error } = status as { server?: string; error?: Error };
            logger.warn({ msg: `nats ${status.type}`, server, ...(error ? { error: String(error.message ?? error) } : {}) });
          }
        }
      })();
      void nc.closed().then((err) => {
        if (err) logger.error({ msg: 'nats connection closed', error: String(err.message ?? err) });
      });
      return nc;
    });
    connecting.catch((err: unknown) =>
      logger.error({ msg: 'nats connection failed', error: String((err as Error)?.message ?? err) }),
    );
    return { connected: () => connecting, current: () => connection };
  },
};

/** For services that cannot work without NATS: the app starts once it is reached. */
export const natsConnectionProvider: Provider = {
  provide: NATS_CONNECTION,
  inject: [NATS_CLIENT],
  useFactory: (client: NatsClient): Promise<NatsConnection> => client.connected(),
};

/**
 * The service's identity on the bus: its `.creds` file (read once at boot; a missing or unreadable
 * file stops the service with its path) and the inbox prefix its permissions reserve for it.
 */
export function natsAuthOptions(
  config: Pick<BaseServiceConfig, 'NATS_CREDS' | 'NATS_INBOX_PREFIX'>,
  principal: string,
): { authenticator?: ReturnType<typeof credsAuthenticator>; inboxPrefix: string } {
  const inboxPrefix = config.NATS_INBOX_PREFIX ?? `_INBOX_${principal}`;
  if (!config.NATS_CREDS) return { inboxPrefix };
  let creds: Uint8Array;
  try {
    creds = readFileSync(config.NATS_CREDS);
  } catch (err) {
    throw new Error(`NATS_CREDS=${config.NATS_CREDS} cannot be read: ${(err as Error).message}`);
  }
  return { authenticator: credsAuthenticator(creds), inboxPrefix };
}
