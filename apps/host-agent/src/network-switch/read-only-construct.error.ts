import { DomainError } from '@vnet/events';

/** Logical networks reach a host only from the network manager: nobody writes them here. */
export class ReadOnlyConstructError extends DomainError {
  readonly code = 'READ_ONLY_CONSTRUCT';
  readonly status = 405;
  constructor(networkId?: string) {
    super(
      `${networkId ? `logical network ${networkId}` : 'a logical network'} is a read-only construct here: it belongs to the network manager`,
    );
  }
}
