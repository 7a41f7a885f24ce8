import { CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from './context.js';
import { EXIT, isApiError, isTaskNotSucceeded, isUnreachable, isUsageError } from './errors.js';
import { formatApiError } from './format.js';
import { buildProgram } from './program.js';

/** The checkout this build lives in (tools/vnetctl/dist → the repository root). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    tty: process.stdout.isTTY ? process.stdout : null,
    sources: {
      env: process.env,
      cwd: process.cwd(),
      repoRoot,
      readFile: (path) => {
        try {
          return readFileSync(path, 'utf8');
        } catch {
          return null;
        }
      },
    },
  };
}

/** Runs one command line; answers the exit code (errors printed, never thrown). */
export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const json = argv.includes('--json');
    if (isApiError(err)) {
      io.stderr.write(`${formatApiError(err)}\n`);
      if (json) io.stdout.write(`${JSON.stringify(err.body, null, 2)}\n`);
      return EXIT.API_ERROR;
    }
    if (isUnreachable(err)) {
      io.stderr.write(`error: ${err.message} (is it running? see vnetctl config)\n`);
      return EXIT.UNREACHABLE;
    }
    if (isUsageError(err)) {
      io.stderr.write(`error: ${err.message}\n`);
      return EXIT.USAGE;
    }
    if (isTaskNotSucceeded(err)) {
      io.stderr.write(`error: ${err.message}\n`);
      return EXIT.TASK_FAILED;
    }
    io.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.API_ERROR;
  }
}
