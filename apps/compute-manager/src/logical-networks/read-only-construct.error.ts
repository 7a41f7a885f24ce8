import { DomainError } from '@vnet/events';

/** Logical networks belong to the network manager: nobody else writes them. */
export class ReadOnlyConstructError extends DomainError {
  readonly code = 'READ_ONLY_CONSTRUCT';
  readonly status = 405;
  constructor() {
    super('logical networks are read-only here: they belong to the network manager');
  }
}
