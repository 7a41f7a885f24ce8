// Runs one fault-injection scenario by name: `npm run chaos -- <name> [args...]` runs chaos/<name>.chaos.mjs.
// A scenario module exports a default async function (called with the remaining arguments; a
// number it returns becomes the exit code) or does its work when imported. The first `//` line of
// each file is its one-line description in the list below.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.chaos.mjs';

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
  out('usage: npm run chaos -- <name> [args...]');
  out('');
  out(list.length ? 'scenarios:' : 'no scenarios (chaos/*.chaos.mjs)');
  const w = Math.max(0, ...list.map((b) => b.name.length));
  for (const b of list) out(`  ${b.name.padEnd(w)}  ${b.description}`);
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  usage(console.log);
  process.exit(name ? 0 : 1);
}
const scenario = available().find((b) => b.name === name);
if (!scenario) {
  console.error(`unknown scenario: ${name}\n`);
  usage(console.error);
  process.exit(2);
}

const mod = await import(pathToFileURL(scenario.file).href);
if (typeof mod.default === 'function') {
  const code = await mod.default(args);
  process.exit(typeof code === 'number' ? code : 0);
}
