import { randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  correlationId: string;
  actor: string;
}

/** The correlation id and actor of the request or message being handled, wherever the code is. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return requestContext.getStore();
}

/** Metadata for the events of a command handled now: the current correlation id and actor. */
export function commandMetadata(causationId: string | null = null): {
  correlationId: string;
  causationId: string | null;
  actor: string;
} {
  const ctx = currentContext();
  return { correlationId: ctx?.correlationId ?? randomUUID(), causationId, actor: ctx?.actor ?? 'system' };
}
