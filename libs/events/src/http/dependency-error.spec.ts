import { DependencyUnavailableError, unavailableDependency } from './dependency-error.js';
import { toErrorBody } from './error-body.js';

const withProps = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);

describe('unavailableDependency', () => {
  it('recognises PostgreSQL gone: refused sockets, SQLSTATE 08/57P0x, the pool giving up, wrapped by TypeORM', () => {
    expect(unavailableDependency(withProps('connect ECONNREFUSED 127.0.0.1:5', { code: 'ECONNREFUSED' }))).toBe('postgresql');
    expect(unavailableDependency(withProps('terminating connection due to administrator command', { code: '57P01' }))).toBe(
      'postgresql',
    );
    expect(unavailableDependency(new Error('timeout exceeded when trying to connect'))).toBe('postgresql');
    expect(unavailableDependency(withProps('query failed', { driverError: withProps('x', { code: '08006' }) }))).toBe(
      'postgresql',
    );
  });

  it('recognises NATS not answering by the client error classes', () => {
    expect(unavailableDependency(Object.assign(new Error('timeout'), { name: 'TimeoutError' }))).toBe('nats');
    expect(unavailableDependency(new DependencyUnavailableError('nats', 'NATS is unavailable'))).toBe('nats');
  });

  it('leaves every other error alone: a bug stays a 500', () => {
    expect(unavailableDependency(new TypeError('x is undefined'))).toBeNull();
    expect(unavailableDependency(withProps('duplicate key value', { code: '23505' }))).toBeNull();
    expect(unavailableDependency('not an error')).toBeNull();
  });

  it('maps to the error body of CONTRACT §2 with the dependency named', () => {
    expect(toErrorBody(withProps('connect ECONNREFUSED', { code: 'ECONNREFUSED' }))).toMatchObject({
      statusCode: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
      dependency: 'postgresql',
    });
  });
});
