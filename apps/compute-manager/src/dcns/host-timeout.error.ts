import { DomainError } from '@vnet/events';

/** A synchronous call needed a host that did not answer in time. */
export class HostTimeoutError extends DomainError {
  readonly code = 'HOST_TIMEOUT';
  readonly status = 504;
  constructor(hostId: string, what: string) {
    super(`host ${hostId} did not ${what} in time`);
  }
}
