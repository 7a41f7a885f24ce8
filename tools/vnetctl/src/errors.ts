/** How vnetctl ends: scripts can tell a typo from a refusal from a failed change. */
export const EXIT = {
  OK: 0,
  /** The service answered with an error (4xx, 5xx). */
  API_ERROR: 1,
  /** Bad arguments, or nothing to connect with (no token). */
  USAGE: 2,
  /** A task ended other than `succeeded` (failed, rolled back), or did not end in time. */
  TASK_FAILED: 3,
  /** A service could not be reached. */
  UNREACHABLE: 4,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  the service answered with an error (its code and message are printed)
  2  bad usage: an unknown command or option, a bad value, no token found
  3  a task did not succeed (failed or rolled back), or did not end within --wait-timeout
  4  a service could not be reached`;

/** The error body of CONTRACT §2; extra fields (such as `missing`) sit at its top level. */
export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string | string[];
  code?: string;
  [extra: string]: unknown;
}

/** The service answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | string | null,
    readonly service: string,
  ) {
    super(typeof body === 'object' && body?.message ? String(body.message) : `HTTP ${status}`);
  }
}

/** The service did not answer at all (refused, timed out, DNS). */
export class UnreachableError extends Error {
  constructor(
    readonly service: string,
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the ${service} at ${url}: ${reason}`);
  }
}

/** Bad arguments found after commander parsed them (a value that is not a number, two exclusive options). */
export class UsageError extends Error {}

/** A task that ended other than succeeded; its outcome has been printed already. */
export class TaskNotSucceeded extends Error {
  constructor(
    readonly taskId: string,
    readonly state: string,
  ) {
    super(`task ${taskId} ${state}`);
  }
}

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;
export const isUnreachable = (err: unknown): err is UnreachableError => err instanceof UnreachableError;
export const isUsageError = (err: unknown): err is UsageError => err instanceof UsageError;
export const isTaskNotSucceeded = (err: unknown): err is TaskNotSucceeded => err instanceof TaskNotSucceeded;
