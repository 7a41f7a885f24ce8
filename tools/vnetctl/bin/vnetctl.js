#!/usr/bin/env node
// The installed command: runs the build of src/ (npm run build writes dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('vnetctl is not built yet: run npm run build at the root of the checkout\n');
  process.exit(2);
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
