// Where a profiled service spent one push: `node bench/lib/profile-window.mjs <file.cpuprofile> <from>-<to> [...]`
// (windows in monotonic µs, as push.bench prints them for a host agent started with --cpu-prof) prints
// the CPU split and the functions with the most self time inside the windows, per window on average.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TOP = Number(process.env.TOP ?? 25);

const [file, ...spans] = process.argv.slice(2);
if (!file || spans.length === 0) {
  console.error('usage: node bench/lib/profile-window.mjs <file.cpuprofile> <fromUs>-<toUs> [...]');
  process.exit(2);
}
const windows = spans.map((s) => s.split('-').map(Number));
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

const where = (cf) => {
  if (!cf.url) return '';
  const path = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
  return `${path.startsWith(ROOT) ? relative(ROOT, path) : path}:${cf.lineNumber + 1}`;
};
const category = (cf) => {
  const name = cf.functionName;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'program (V8, native)';
  const url = cf.url ?? '';
  if (url.includes('/apps/host-agent/')) return 'host agent code';
  if (url.includes('/libs/')) return 'libs (contracts, events)';
  if (url.includes('@nats-io')) return 'NATS client';
  if (url.includes('/node_modules/')) return 'other packages';
  if (url.startsWith('node:')) return 'Node.js internals';
  return 'native (JSON, builtins)';
};

const self = new Map();
const split = new Map();
/** The host agent's code by directory (store, compute-switch, link...). */
const byDir = new Map();
let total = 0;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (!windows.some(([from, to]) => t >= from && t < to)) continue;
  const cf = nodes.get(profile.samples[i]).callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${where(cf)}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const c = category(cf);
  split.set(c, (split.get(c) ?? 0) + dt);
  const dir = /\/apps\/host-agent\/dist\/([^/]+)\//.exec(cf.url ?? '')?.[1];
  if (dir) byDir.set(dir, (byDir.get(dir) ?? 0) + dt);
  total += dt;
}
const per = (us) => (us / 1000 / windows.length).toFixed(1);
const busy = total - (split.get('idle') ?? 0);
console.log(`${windows.length} window(s): ${per(total)} ms sampled, ${per(busy)} ms busy per window`);
console.log('\nsplit (ms per window, share of busy):');
for (const [c, us] of [...split].sort((a, b) => b[1] - a[1]))
  console.log(`  ${per(us).padStart(8)}  ${c === 'idle' ? '' : `${((us / busy) * 100).toFixed(1)}%`.padStart(6)}  ${c}`);
console.log('\nhost agent code by directory (ms per window, share of busy):');
for (const [d, us] of [...byDir].sort((a, b) => b[1] - a[1]))
  console.log(`  ${per(us).padStart(8)}  ${`${((us / busy) * 100).toFixed(1)}%`.padStart(6)}  ${d}`);
console.log(`\ntop ${TOP} by self time (ms per window, share of busy):`);
for (const [k, us] of [...self]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, TOP))
  console.log(`  ${per(us).padStart(8)}  ${`${((us / busy) * 100).toFixed(1)}%`.padStart(6)}  ${k}`);
