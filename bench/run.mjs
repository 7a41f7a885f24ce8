// Runs one benchmark by name: `npm run bench -- <name> [args...]` runs bench/<name>.bench.mjs.
// A benchmark module exports a default async function (called with the remaining arguments; a
// number it returns becomes the exit code) or does its work when imported. The first `//` line of
// each file is its one-line description in the list below.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.bench.mjs';

function available() {
  return readdirSync(here)
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
    .map((f) => {
      const first = readFileSync(join(here, f), 'utf8')
        .split('\n')
        .find((l) => l.startsWith('//'));
      return { name: f.slice(0, -SUFFIX.length), file: join(here, f), description: first ? first.replace(/^\/\/\s*/, '') : '' };
    });
}

function usage(out) {
  const list = available();
  out('usage: npm run bench -- <name> [args...]');
  out('');
  out(list.length ? 'benchmarks:' : 'no benchmarks (bench/*.bench.mjs)');
  const w = Math.max(0, ...list.map((b) => b.name.length));
  for (const b of list) out(`  ${b.name.padEnd(w)}  ${b.description}`);
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  usage(console.log);
  process.exit(name ? 0 : 1);
}
const bench = available().find((b) => b.name === name);
if (!bench) {
  console.error(`unknown benchmark: ${name}\n`);
  usage(console.error);
  process.exit(2);
}

const mod = await import(pathToFileURL(bench.file).href);
if (typeof mod.default === 'function') {
  const code = await mod.default(args);
  process.exit(typeof code === 'number' ? code : 0);
}
