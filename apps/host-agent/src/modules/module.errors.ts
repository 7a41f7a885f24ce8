import { DomainError } from '@vnet/events';
import { OPAQUE_VALUE_MAX_BYTES } from '@vnet/contracts';

/** No module registered this namespace on this host. */
export class ModuleNotRegisteredError extends DomainError {
  readonly code = 'MODULE_NOT_REGISTERED';
  readonly status = 404;
  constructor(hostId: string, namespace: string) {
    super(`no module registered namespace ${namespace} on host ${hostId} (POST /hosts/${hostId}/modules first)`);
  }
}

/** The host keeps this many undelivered messages already: the call is not accepted. */
export class ModuleOutboxFullError extends DomainError {
  readonly code = 'MODULE_OUTBOX_FULL';
  readonly status = 503;
  constructor(limit: number) {
    super(`the host already keeps ${limit} messages the compute manager has not acknowledged; not accepted, send it again later`);
  }
}

/** A value whose JSON text is larger than the channel carries. */
export class ModuleValueTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
  constructor(bytes: number) {
    super(`value: its JSON text is ${bytes} bytes; the limit is ${OPAQUE_VALUE_MAX_BYTES} bytes (64 KiB)`);
  }
}
