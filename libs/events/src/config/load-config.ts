import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown at boot when the environment is unusable; names each variable at fault. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once, at boot, into a typed object. This is the only place that reads
 * `process.env`; everything else receives the object.
 */
export function loadConfig<T extends object>(type: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const plain = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(type, plain, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: false });
  if (errors.length) throw new ConfigError(errors.map(describe));
  return config;
}

function describe(error: ValidationError): string {
  const why = Object.values(error.constraints ?? {}).join(', ');
  return `${error.property}: ${why || 'invalid'}`;
}
