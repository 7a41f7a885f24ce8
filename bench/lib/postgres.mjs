// A throw-away PostgreSQL for one benchmark run: its own cluster in a temp dir, on a free loopback
// port, stopped and removed at the end — also when the benchmark throws or is interrupted (Ctrl-C).
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, startPostgres } from '../../scripts/lib/stack.mjs';

const cleanups = new Set();
let signalsHooked = false;

function hookSignals() {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]) {
    process.once(signal, () => {
      console.error(`\n[bench] ${signal}: stopping the benchmark's PostgreSQL and removing its files`);
      Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(code));
    });
  }
}

/**
 * Starts PostgreSQL in a fresh temp dir (0755, so that the `postgres` account can reach it when we
 * are root) and returns `{ url, port, version, stop }`. `stop()` is idempotent: it stops the server
 * and removes the directory.
 */
export async function startThrowawayPostgres({ settings = {}, prefix = 'vnet-bench-' } = {}) {
  hookSignals();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  let child = null;
  let server = null;
  let stopping = null;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        if (server) await server.stop();
        else if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGINT');
          const t = setTimeout(() => child.kill('SIGKILL'), 10000);
          await exited;
          clearTimeout(t);
        }
      } finally {
        removeDir(dir);
        cleanups.delete(stop);
      }
    })());
  cleanups.add(stop);
  try {
    server = await startPostgres({ dir, settings, onSpawn: (c) => (child = c) });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: server.url, port: server.port, dir, stop };
}
