// `VNET_DATA_DIR/services.json`: where `npm start` serves each service, for tools that find the
// stack by themselves (vnetctl). Written before the services start, so it names their ports even
// while they come up; a later start with other ports rewrites it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICES_FILE = 'services.json';

/** `urls`: `{"network-manager": "http://127.0.0.1:7101", …}`. */
export function writeServicesFile(dataDir, urls) {
  writeFileSync(join(dataDir, SERVICES_FILE), `${JSON.stringify(urls, null, 2)}\n`);
}
