import { RpcException } from '@nestjs/microservices';

export const INVALID_MESSAGE = 'INVALID_MESSAGE';

/**
 * Thrown by a message handler for a message that can never be processed (wrong shape, unknown
 * version, broken invariant): the transport terminates it and records a dead letter instead of
 * redelivering it.
 *
 * It extends RpcException on purpose: Nest's default RPC exception filter replaces every other
 * error with a generic "Internal server error" object, but passes an RpcException's error object
 * through, so the `code` below still reaches the transport when no filter is registered.
 */
export class InvalidMessageError extends RpcException {
  readonly code = INVALID_MESSAGE;

  constructor(message: string) {
    super({ code: INVALID_MESSAGE, message });
    this.name = 'InvalidMessageError';
  }
}

/** True for an InvalidMessageError, and for the `{ code, message }` object Nest's filter makes of it. */
export function isInvalidMessage(err: unknown): boolean {
  return (
    err instanceof InvalidMessageError ||
    (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === INVALID_MESSAGE)
  );
}
