// Where a running stack answers, for tools that drive it from outside as an operator does (the demo):
// the three services' URLs and the admin token, found as `npm start` leaves them, or as the
// environment says.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSameProcess, startTimeOf } from './processes.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The services, the variable of each one's URL and of its port, and its default port (CONTRACT §1). */
export const SERVICE_ENDPOINTS = [
  { name: 'network-manager', urlVar: 'VNET_NETWORK_MANAGER_URL', portVar: 'NETWORK_MANAGER_PORT', defaultPort: 7101 },
  { name: 'compute-manager', urlVar: 'VNET_COMPUTE_MANAGER_URL', portVar: 'COMPUTE_MANAGER_PORT', defaultPort: 7102 },
  { name: 'host-agent', urlVar: 'VNET_HOST_AGENT_URL', portVar: 'HOST_AGENT_PORT', defaultPort: 7103 },
];

/** The file in which a running `npm start` says where its services answer (removed when it stops). */
export const servicesFile = (dataDir) => join(dataDir, 'services.json');

/** Written by `npm start` once every service answers /health. */
export function writeServicesFile(dataDir, urls) {
  const file = servicesFile(dataDir);
  writeFileSync(file, `${JSON.stringify({ pid: process.pid, start: startTimeOf(process.pid), urls }, null, 2)}\n`, {
    mode: 0o600,
  });
}

export function removeServicesFile(dataDir) {
  rmSync(servicesFile(dataDir), { force: true });
}

/** What a running `npm start` on `dataDir` wrote, or null (none, unreadable, or its supervisor is gone). */
function runningStart(dataDir) {
  try {
    const saved = JSON.parse(readFileSync(servicesFile(dataDir), 'utf8'));
    return isSameProcess(saved) ? saved : null;
  } catch {
    return null;
  }
}

/**
 * The stack to drive: `{urls: {service: url}, token, found: [how each part was found]}`. Each URL is
 * `VNET_<SERVICE>_URL` when set, else what the `npm start` running on VNET_DATA_DIR wrote, else
 * `http://<BIND_ADDRESS>:<SERVICE>_PORT` with npm start's defaults. The token is VNET_TOKEN or ADMIN_TOKEN, else the
 * one `npm start` keeps in VNET_DATA_DIR/admin-token.
 */
export function findStack(env = process.env) {
  const dataDir = resolve(ROOT, env.VNET_DATA_DIR || '.vnet');
  const started = runningStart(dataDir);
  const bind = env.BIND_ADDRESS && !['0.0.0.0', '::', ''].includes(env.BIND_ADDRESS) ? env.BIND_ADDRESS : '127.0.0.1';
  const host = bind.includes(':') ? `[${bind}]` : bind;
  const urls = {};
  const found = [];
  for (const s of SERVICE_ENDPOINTS) {
    if (env[s.urlVar]) {
      urls[s.name] = env[s.urlVar].replace(/\/+$/, '');
      found.push(`${s.name} from ${s.urlVar}`);
    } else if (started?.urls?.[s.name]) {
      urls[s.name] = started.urls[s.name];
      found.push(`${s.name} from ${servicesFile(dataDir)}`);
    } else {
      urls[s.name] = `http://${host}:${env[s.portVar] || s.defaultPort}`;
      found.push(`${s.name} from ${env[s.portVar] ? s.portVar : 'the default port'}`);
    }
  }
  const tokenVar = ['VNET_TOKEN', 'ADMIN_TOKEN'].find((name) => env[name]);
  let token = tokenVar ? env[tokenVar] : null;
  if (token) found.push(`admin token from ${tokenVar}`);
  else {
    const file = join(dataDir, 'admin-token');
    if (existsSync(file)) {
      token = readFileSync(file, 'utf8').trim() || null;
      if (token) found.push(`admin token from ${file}`);
    }
  }
  return { urls, token, dataDir, found };
}
