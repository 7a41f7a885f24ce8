// Where the server binaries are. Dependency-free: the install check runs it before `npm install`.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'])) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

export function findNatsServer() {
  return which('nats-server');
}

/** The directory of the newest installed PostgreSQL server binaries, or null. */
export function findPostgresBin() {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'postgres')) && existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0], 'bin');
  }
  const initdb = which('initdb');
  const postgres = which('postgres');
  if (initdb && postgres) return join(realpathSync(initdb), '..');
  return null;
}


/**
 * Debian's headless-capable Chromium (package `chromium`), which the UI's end-to-end test drives with
 * playwright-core; CHROMIUM_PATH names another binary. Null when there is none.
 */
export function findChromium() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  return which('chromium');
}
