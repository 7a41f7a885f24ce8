/**
 * Errors the domain throws. Each carries a machine `code` and the HTTP status it maps to, so that one
 * global filter turns it into CONTRACT §2's error body without the domain importing Nest.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** Extra fields that sit at the top level of the error body (such as `missing`). */
  readonly details: Record<string, unknown> = {};

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class VersionConflictError extends DomainError {
  readonly code = 'VERSION_CONFLICT';
  readonly status = 409;
  constructor(
    readonly streamId: string,
    readonly expected: number | string,
    readonly actual: number | null,
    /** True when the store refused an append for a concurrent write: worth retrying on fresh state. */
    readonly retryable = false,
  ) {
    super(`stream ${streamId} is at version ${actual ?? 'none'}, not ${expected}`);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  constructor(
    /** What was looked for (`host`, `DCN`, ...): tells an unknown target host from an unknown DCN. */
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/** A conflict with the current state, named by `code` (VNI_IN_USE, NETWORK_IN_USE, ...). */
export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this.details, details);
  }
}

/** Input the domain rejects; `fields` names each offending field. */
export class InvalidInputError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
  constructor(readonly fields: Record<string, string>) {
    super(
      Object.entries(fields)
        .map(([f, why]) => `${f}: ${why}`)
        .join('; '),
    );
  }
}

export const isDomainError = (err: unknown): err is DomainError => err instanceof DomainError;
export const isVersionConflict = (err: unknown): err is VersionConflictError => err instanceof VersionConflictError;
