/**
 * Recognises the errors a lost dependency raises, so that they answer 503 DEPENDENCY_UNAVAILABLE
 * (CONTRACT §2) instead of an unexpected 500: PostgreSQL refusing or dropping connections, NATS
 * disconnected or not answering. Everything else stays unexpected.
 */
export type Dependency = 'postgresql' | 'nats';

// Socket-level failures: whichever client met them, the peer is unreachable.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLSTATE: class 08 (connection exception), 57P01–57P03 (shutting down, crashed, starting up), 53300 (too many connections).
const PG_STATES = /^(08...|57P0[1-3]|53300)$/;
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|the database system is (starting up|shutting down|in recovery mode)|Cannot use a pool after calling end/i;
// nats.js error classes of a connection that is down or a server that does not answer.
const NATS_ERRORS = new Set([
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'TimeoutError',
  'NoRespondersError',
  'RequestError',
]);

/** Thrown where a call finds a dependency down before trying it (so that it answers at once). */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: Dependency,
    message: string,
  ) {
    super(message);
  }
}

interface Inspectable {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  driverError?: unknown;
  errors?: unknown;
}

/** Which dependency `err` says is unreachable, or null for any other error. */
export function unavailableDependency(err: unknown, depth = 0): Dependency | null {
  if (!err || typeof err !== 'object' || depth > 5) return null;
  if (err instanceof DependencyUnavailableError) return err.dependency;
  const e = err as Inspectable;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (NATS_ERRORS.has(name) || /^nats[: ]/i.test(message)) return 'nats';
  if (PG_STATES.test(code) || PG_MESSAGES.test(message)) return 'postgresql';
  // TypeORM wraps the driver's error; an AggregateError (connect to several addresses) holds many.
  for (const inner of [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = unavailableDependency(inner, depth + 1);
    if (found) return found;
  }
  // The NATS client never hands a socket error to its callers (it reconnects): a socket error is the database pool's.
  if (SOCKET_CODES.has(code)) return 'postgresql';
  return null;
}

const NAMES: Record<Dependency, string> = { postgresql: 'PostgreSQL', nats: 'NATS' };

/** The message of a 503 for a dependency, with what its client said. */
export function unavailableMessage(dependency: Dependency, err: unknown): string {
  if (err instanceof DependencyUnavailableError) return err.message;
  const detail = err instanceof Error && err.message ? ` (${err.message.slice(0, 200)})` : '';
  return `${NAMES[dependency]} is unavailable${detail}: try again once it is back`;
}
