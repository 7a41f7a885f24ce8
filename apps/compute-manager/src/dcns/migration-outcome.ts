import { isDomainError, NotFoundError } from '@vnet/events';
import { UnknownHostsError } from '../hosts/unknown-hosts.error.js';

export type MigrationOutcome =
  | 'succeeded'
  | 'not_on_target'
  | 'host_timeout'
  | 'unknown_host'
  | 'unknown_dcn'
  | 'in_progress'
  | 'invalid'
  | 'failed';

/** How a migration ended, from what it threw (nothing: it succeeded): a bounded label for metrics. */
export function migrationOutcome(error?: unknown): MigrationOutcome {
  if (error === undefined) return 'succeeded';
  if (error instanceof UnknownHostsError) return 'unknown_host';
  if (error instanceof NotFoundError) return error.entity === 'host' ? 'unknown_host' : 'unknown_dcn';
  if (!isDomainError(error)) return 'failed';
  switch (error.code) {
    case 'NETWORK_NOT_ON_TARGET':
      return 'not_on_target';
    case 'HOST_TIMEOUT':
      return 'host_timeout';
    case 'MIGRATION_IN_PROGRESS':
      return 'in_progress';
    case 'VALIDATION_FAILED':
      return 'invalid';
    default:
      return 'failed';
  }
}
