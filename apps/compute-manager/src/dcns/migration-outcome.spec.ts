import { ConflictError, InvalidInputError, NotFoundError } from '@vnet/events';
import { UnknownHostsError } from '../hosts/unknown-hosts.error.js';
import { HostTimeoutError } from './host-timeout.error.js';
import { migrationOutcome } from './migration-outcome.js';

describe('migrationOutcome', () => {
  it('names each way a migration ends', () => {
    expect(migrationOutcome()).toBe('succeeded');
    expect(migrationOutcome(new ConflictError('NETWORK_NOT_ON_TARGET', 'lacks', { missing: ['n'] }))).toBe('not_on_target');
    expect(migrationOutcome(new HostTimeoutError('host-2', 'realize the DCN ports'))).toBe('host_timeout');
    expect(migrationOutcome(new UnknownHostsError(['host-9']))).toBe('unknown_host');
    expect(migrationOutcome(new NotFoundError('DCN', 'd'))).toBe('unknown_dcn');
    expect(migrationOutcome(new ConflictError('MIGRATION_IN_PROGRESS', 'migrating'))).toBe('in_progress');
    expect(migrationOutcome(new InvalidInputError({ targetHostId: 'is already the DCN host' }))).toBe('invalid');
  });

  it('keeps the label set bounded: anything else is failed', () => {
    expect(migrationOutcome(new ConflictError('SOMETHING_NEW', 'x'))).toBe('failed');
    expect(migrationOutcome(new Error('connection reset'))).toBe('failed');
  });
});
