import { Logger, type Provider } from '@nestjs/common';
import { join, resolve } from 'node:path';
import type { BaseServiceConfig } from '../config/service-config.js';
import { CredentialsSource } from './credentials.source.js';

/** The service's CredentialsSource: the tokens its guard accepts. */
export const CREDENTIALS = Symbol('CREDENTIALS');

/** `ADMIN_TOKENS_FILE` when set (it must exist), else `VNET_DATA_DIR/tokens.json` when present. */
export function credentialsFileOf(config: BaseServiceConfig): { file: string; required: boolean } {
  if (config.ADMIN_TOKENS_FILE) return { file: resolve(config.ADMIN_TOKENS_FILE), required: true };
  return { file: resolve(join(config.VNET_DATA_DIR, 'tokens.json')), required: false };
}

/** Reads the file at boot (a bad one stops the service, naming it) and watches it from then on. */
export function credentialsProvider(config: BaseServiceConfig): Provider {
  return {
    provide: CREDENTIALS,
    useFactory: () => {
      const logger = new Logger('Credentials');
      const source = new CredentialsSource({
        adminToken: config.ADMIN_TOKEN,
        ...credentialsFileOf(config),
        log: { log: (fields) => logger.log(fields), error: (fields) => logger.error(fields) },
      });
      source.start();
      return source;
    },
  };
}
