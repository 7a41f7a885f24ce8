// Runs one benchmark by name: `npm run bench -- <name> [args...]` runs bench/<name>.bench.mjs.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runByName } from '../scripts/lib/run-by-name.mjs';

await runByName({ dir: dirname(fileURLToPath(import.meta.url)), suffix: '.bench.mjs', command: 'bench', kind: 'benchmark' });
