import { ConfigError, loadConfig } from './load-config.js';
import { BaseServiceConfig } from './service-config.js';

const env = (extra: Record<string, string>) => ({ ADMIN_TOKEN: 'admin-token-1', ...extra });

describe('NATS_REPLICAS', () => {
  it('is 1 when not set (one server)', () => {
    expect(loadConfig(BaseServiceConfig, env({})).NATS_REPLICAS).toBe(1);
  });

  it('takes 1 to 5, as a number', () => {
    expect(loadConfig(BaseServiceConfig, env({ NATS_REPLICAS: '3' })).NATS_REPLICAS).toBe(3);
    expect(loadConfig(BaseServiceConfig, env({ NATS_REPLICAS: '5' })).NATS_REPLICAS).toBe(5);
  });

  it.each(['0', '6', '2.5', 'three', '-1'])('refuses %s, naming the variable and its range', (value) => {
    let error: unknown;
    try {
      loadConfig(BaseServiceConfig, env({ NATS_REPLICAS: value }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^NATS_REPLICAS: NATS_REPLICAS must be an integer from 1 to 5/);
    expect(message).toMatch(/^invalid configuration: NATS_REPLICAS/);
  });
});
