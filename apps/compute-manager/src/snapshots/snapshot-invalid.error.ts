import { DomainError } from '@vnet/events';

/**
 * A stored snapshot that cannot be restored as it is: not JSON, another schema, a version this
 * compute manager does not read, or a document that fails validation. `problems` names each fault.
 */
export class SnapshotInvalidError extends DomainError {
  readonly code = 'SNAPSHOT_INVALID';
  readonly status = 422;

  constructor(
    readonly snapshotId: string,
    readonly problems: string[],
  ) {
    super(`snapshot ${snapshotId} is not a valid switch snapshot: ${problems.join('; ')}`);
    this.details.problems = problems;
  }
}
