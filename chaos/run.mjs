// Runs one fault-injection scenario by name: `npm run chaos -- <name> [args...]` runs chaos/<name>.chaos.mjs.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runByName } from '../scripts/lib/run-by-name.mjs';

await runByName({ dir: dirname(fileURLToPath(import.meta.url)), suffix: '.chaos.mjs', command: 'chaos', kind: 'scenario' });
