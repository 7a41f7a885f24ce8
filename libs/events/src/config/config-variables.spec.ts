import { IsOptional, IsString } from 'class-validator';
import { configVariables } from './config-variables.js';
import { BaseServiceConfig, ManagerConfig } from './service-config.js';

describe('configVariables', () => {
  it("lists every variable a service's config reads, with its default and whether it must be set", () => {
    const base = configVariables(BaseServiceConfig);
    expect(base.map((v) => v.name)).toEqual([
      'ADMIN_TOKEN',
      'ADMIN_TOKENS_FILE',
      'BIND_ADDRESS',
      'LOG_LEVEL',
      'NATS_CREDS',
      'NATS_INBOX_PREFIX',
      'NATS_REPLICAS',
      'NATS_URL',
      'VNET_DATA_DIR',
    ]);
    const byName = Object.fromEntries(base.map((v) => [v.name, v]));
    expect(byName.ADMIN_TOKEN).toEqual({ name: 'ADMIN_TOKEN', defaultValue: undefined, required: true });
    expect(byName.NATS_REPLICAS).toEqual({ name: 'NATS_REPLICAS', defaultValue: 1, required: false });
    expect(byName.NATS_CREDS).toEqual({ name: 'NATS_CREDS', defaultValue: undefined, required: false });
  });

  it("includes what a subclass adds to its parent's", () => {
    const manager = configVariables(ManagerConfig);
    expect(manager.filter((v) => v.required).map((v) => v.name)).toEqual(['ADMIN_TOKEN', 'DATABASE_URL']);
    expect(manager.find((v) => v.name === 'DATABASE_POOL_SIZE')?.defaultValue).toBe(20);
    class Extra extends BaseServiceConfig {
      @IsOptional()
      @IsString()
      EXTRA_SETTING?: string;
    }
    expect(configVariables(Extra).map((v) => v.name)).toContain('EXTRA_SETTING');
    expect(configVariables(BaseServiceConfig).map((v) => v.name)).not.toContain('EXTRA_SETTING');
  });
});
