import type { NatsConnection } from '@nats-io/transport-node';
import { DependencyUnavailableError } from '../http/dependency-error.js';

const states = new WeakMap<NatsConnection, { up: boolean }>();

/**
 * Whether the connection is up right now, as its status events say (a disconnected client keeps
 * requests waiting for their timeout; a caller that needs an answer at once asks this first).
 * Watching starts on the first call: the NATS provider calls it as soon as it connects.
 */
export function natsIsUp(nc: NatsConnection): boolean {
  let state = states.get(nc);
  if (!state) {
    const watched = { up: !nc.isClosed() };
    states.set(nc, watched);
    state = watched;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') watched.up = false;
        else if (status.type === 'reconnect') watched.up = true;
      }
    })().catch(() => {});
  }
  return state.up && !nc.isClosed();
}

/** Throws DependencyUnavailableError (503 DEPENDENCY_UNAVAILABLE) at once while NATS is down. */
export function requireNats(nc: NatsConnection, what: string): void {
  if (!natsIsUp(nc))
    throw new DependencyUnavailableError('nats', `NATS is unavailable: ${what} needs it; try again once it is back`);
}
