// Runs one module of a directory by name: `npm run <command> -- <name> [args...]` runs
// <dir>/<name><suffix>. The module exports a default async function (called with the remaining
// arguments; a number it returns becomes the exit code) or does its work when imported. The first
// `//` line of each file is its one-line description in the list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `kind`: what one module is called ("benchmark"), in the usage text and errors. */
export async function runByName({ dir, suffix, command, kind }) {
  const available = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith(suffix))
      .sort()
      .map((f) => {
        const first = readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .find((l) => l.startsWith('//'));
        return { name: f.slice(0, -suffix.length), file: join(dir, f), description: first ? first.replace(/^\/\/\s*/, '') : '' };
      });
  const usage = (out) => {
    const list = available();
    out(`usage: npm run ${command} -- <name> [args...]`);
    out('');
    out(list.length ? `${kind}s:` : `no ${kind}s (${command}/*${suffix})`);
    const w = Math.max(0, ...list.map((b) => b.name.length));
    for (const b of list) out(`  ${b.name.padEnd(w)}  ${b.description}`);
  };

  const [name, ...args] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    usage(console.log);
    process.exit(name ? 0 : 1);
  }
  const found = available().find((b) => b.name === name);
  if (!found) {
    console.error(`unknown ${kind}: ${name}\n`);
    usage(console.error);
    process.exit(2);
  }
  const mod = await import(pathToFileURL(found.file).href);
  if (typeof mod.default === 'function') {
    const code = await mod.default(args);
    process.exit(typeof code === 'number' ? code : 0);
  }
}
