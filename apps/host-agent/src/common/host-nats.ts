import type { Provider } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CLIENT, type NatsClient } from '@vnet/events';

/**
 * How the host agent reaches NATS: through a connection that may not exist yet. A host must serve
 * from its store while no manager is reachable, so nothing of the agent should need NATS to start;
 * every user waits for `connected()` instead of taking the connection at construction.
 */
export interface HostNats {
  /** Resolves with the connection once NATS has been reached. */
  connected(): Promise<NatsConnection>;
}

export const HOST_NATS = Symbol('HOST_NATS');

// The core module connects in the background for the agent (natsAtBoot: 'background').
export const hostNatsProvider: Provider = {
  provide: HOST_NATS,
  inject: [NATS_CLIENT],
  useFactory: (client: NatsClient): HostNats => ({ connected: () => client.connected() }),
};
