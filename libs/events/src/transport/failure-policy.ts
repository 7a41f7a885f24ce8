import { isInvalidMessage } from './invalid-message.error.js';

export type Failure = { kind: 'poison'; reason: string } | { kind: 'transient'; reason: string };

/**
 * A message that can never succeed is terminated; anything else is retried. Poison is what the
 * handler says it is (InvalidMessageError) or what Nest's ValidationPipe rejects (HTTP 400).
 */
export function classifyFailure(err: unknown): Failure {
  const reason = describeError(err);
  if (isInvalidMessage(err) || statusOf(err) === 400) return { kind: 'poison', reason };
  return { kind: 'transient', reason };
}

function statusOf(err: unknown): number | undefined {
  const getStatus = (err as { getStatus?: unknown } | null)?.getStatus;
  if (typeof getStatus !== 'function') return undefined;
  try {
    return Number(getStatus.call(err));
  } catch {
    return undefined;
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    // A ValidationPipe error names each offending field in its response, not in its message.
    const response = (err as { getResponse?: () => unknown }).getResponse?.();
    const details = (response as { message?: unknown } | undefined)?.message;
    if (Array.isArray(details)) return `${err.message}: ${details.join('; ')}`;
    return err.message || err.name;
  }
  if (typeof err === 'object' && err !== null) {
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    try {
      return JSON.stringify(err);
    } catch {
      return String(err);
    }
  }
  return String(err);
}

/** Delay before redelivery: `baseMs` after the first failure, doubling with each delivery, capped at `maxMs`. */
export function nakDelay(deliveryCount: number, baseMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(deliveryCount - 1, 0), 30);
  return Math.min(baseMs * 2 ** exponent, maxMs);
}
