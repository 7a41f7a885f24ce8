import { DomainError } from '@vnet/events';

/**
 * One rule for host ids a request names that the compute manager does not know (neither added nor
 * ever reported): refused at once with 404, naming each of them in `hostIds`, and nothing recorded.
 */
export class UnknownHostsError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;

  constructor(readonly hostIds: string[]) {
    super(hostIds.length === 1 ? `host ${hostIds[0]} not found` : `hosts ${hostIds.join(', ')} not found`);
    this.details.hostIds = hostIds;
  }
}

/** Throws when any of `hostIds` is unknown (pure: the caller looked them up). */
export function requireKnownHosts(unknownHostIds: readonly string[]): void {
  if (unknownHostIds.length) throw new UnknownHostsError([...unknownHostIds]);
}
