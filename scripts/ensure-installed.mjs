// Runs before `npm start`, `npm test` and `npm run bench`: installs what a fresh clone lacks.
//   1. npm packages: `npm ci` when node_modules is missing or older than package-lock.json.
//   2. `nats-server` and the PostgreSQL server binaries: apt-get when root, otherwise a clear message.
//   3. With `--browser` (before `npm test`): Debian's `chromium`, for the UI's end-to-end test, the same way.
// Node built-ins only (it runs before node_modules exists), and well under a second when nothing is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// stack.mjs imports nothing from node_modules at load time ('pg' only inside a function).
import { findChromium, findNatsServer, findPostgresBin } from './lib/binaries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;
const withBrowser = process.argv.includes('--browser');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function run(cmd, args, env = process.env) {
  console.error(`[ensure-installed] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function fail(message) {
  console.error(`[ensure-installed] ${message}`);
  process.exit(1);
}

function ensurePackages() {
  const lock = join(root, 'package-lock.json');
  const hasLock = existsSync(lock);
  // npm writes node_modules/.package-lock.json at the end of every install: its age is the install's.
  const installed = mtime(join(root, 'node_modules', '.package-lock.json'));
  const wanted = mtime(hasLock ? lock : join(root, 'package.json'));
  if (existsSync(join(root, 'node_modules')) && installed !== null && installed >= wanted) return;
  run('npm', hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

function hasPostgresAccount() {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((l) => l.startsWith('postgres:'));
  } catch {
    return false;
  }
}

function ensureServers() {
  // With both servers given from outside, nothing local is started.
  const external = process.env.NATS_URL && process.env.DATABASE_URL;
  const missing = [];
  if (!external && !findNatsServer()) missing.push('nats-server');
  if (!external && !findPostgresBin()) missing.push('postgresql');
  // The browser comes from Debian like the servers: no browser download of its own.
  if (withBrowser && !findChromium()) missing.push('chromium');
  if (external && missing.length === 0) return;
  if (missing.length) {
    if (!isRoot) {
      fail(
        `missing: ${missing.join(', ')}.\n` +
          `  Install the Debian/Ubuntu packages as root:  apt-get install -y ${missing.join(' ')}\n` +
          '  (or put nats-server, initdb and postgres on PATH), or set both NATS_URL and DATABASE_URL\n' +
          '  to use servers that are already running.',
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update'], env);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], env);
    if ((!external && (!findNatsServer() || !findPostgresBin())) || (withBrowser && !findChromium()))
      fail(`still missing after apt-get install: ${missing.join(', ')}`);
  }
  if (external) return;
  // PostgreSQL refuses to run as root; as root, stack.mjs runs it as the `postgres` account.
  if (isRoot && !hasPostgresAccount()) {
    run('useradd', [
      '--system',
      '--user-group',
      '--create-home',
      '--home-dir',
      '/var/lib/postgresql',
      '--shell',
      '/bin/sh',
      'postgres',
    ]);
  }
}

/** Node as package.json's `engines` says (`>=MAJOR.MINOR`): the dependencies are pinned to run on it. */
function ensureNode() {
  const wanted = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node ?? '';
  const [, major = '0', minor = '0'] = /^>=\s*(\d+)(?:\.(\d+))?/.exec(wanted) ?? [];
  const [haveMajor, haveMinor] = process.versions.node.split('.').map(Number);
  if (haveMajor < Number(major) || (haveMajor === Number(major) && haveMinor < Number(minor))) {
    fail(`Node.js ${wanted} is needed (package.json engines); this is ${process.versions.node}`);
  }
}

ensureNode();
ensurePackages();
ensureServers();
