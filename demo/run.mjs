// `npm run demo`: a guided tour of a running stack (`npm start`), through the public HTTP API of the three
// services only, as an operator would drive it. Each step says what it does and what it checks, then ✓ or ✗;
// the first check that does not hold ends the run with exit code 1, so CI runs the tour as a test.
//
// It finds the stack as scripts/lib/endpoints.mjs says (VNET_NETWORK_MANAGER_URL …, else what `npm start` on
// VNET_DATA_DIR wrote, else the default ports; ADMIN_TOKEN, else VNET_DATA_DIR/admin-token). Everything it
// creates is named after the run (hosts demo-<run>-1 …), so it can run again on the same stack, and it puts
// back what it changed on the way (the hosts' uplinks).
import { randomBytes } from 'node:crypto';
import { findStack } from '../scripts/lib/endpoints.mjs';
import { client } from './lib/client.mjs';
import { CheckFailed, Narrator } from './lib/narrator.mjs';
import { auditTrail } from './steps/audit.mjs';
import { computeManagerLearns, hostsJoin, hostsLearnNetworks, stackAnswers, zoneAndNetworks } from './steps/networks.mjs';
import { repairThroughClone, rollback, setUplinks } from './steps/safety-nets.mjs';
import { extensionReachesModule, snapshotRestored } from './steps/snapshot-and-extension.mjs';
import { dcnsAttached, migrations, pushToAll, switchAndPortGroups } from './steps/switching.mjs';

const STORY = [
  stackAnswers,
  hostsJoin,
  zoneAndNetworks,
  hostsLearnNetworks,
  computeManagerLearns,
  switchAndPortGroups,
  dcnsAttached,
  migrations,
  pushToAll,
  rollback,
  repairThroughClone,
  snapshotRestored,
  extensionReachesModule,
  auditTrail,
];

async function main() {
  const stack = findStack();
  const say = new Narrator();
  const run = randomBytes(3).toString('hex');
  say.out(`vnet guided demo, run ${run}`);
  for (const line of stack.found) say.note(line);
  if (!stack.token) {
    say.out('no admin token: set ADMIN_TOKEN, or start the stack with `npm start`, which keeps it in VNET_DATA_DIR/admin-token');
    return 2;
  }
  let current = null;
  const trace = () => current;
  const ctx = {
    say,
    run,
    nm: client(stack.urls['network-manager'], stack.token, trace),
    cm: client(stack.urls['compute-manager'], stack.token, trace),
    ha: client(stack.urls['host-agent'], stack.token, trace),
    hosts: [1, 2, 3].map((n) => `demo-${run}-${n}`),
    rollbackTimeoutMs: Number(process.env.DEMO_ROLLBACK_TIMEOUT_MS ?? 3000),
    ids: { zones: {}, networks: {}, portGroups: {} },
    /** Each step's correlation id, in order: what the audit follows. */
    traces: [],
    /** A new step: narrated, and every call it makes sent under a correlation id of its own. */
    begin(key, title, text) {
      current = `demo-${run}-${key}`;
      ctx.traces.push({ key, id: current });
      say.step(title, text);
    },
  };
  const t0 = Date.now();
  try {
    for (const chapter of STORY) await chapter(ctx);
  } catch (err) {
    if (!(err instanceof CheckFailed)) say.out(`\n    ✗ the demo stopped: ${err?.stack ?? err}`);
    say.out(`\nFAILED after ${say.steps} steps and ${say.checks} checks (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return 1;
  } finally {
    await putBack(ctx);
  }
  say.out(`\nAll ${say.steps} steps behaved as narrated: ${say.checks} checks in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  return 0;
}

/** Whatever happened, the demo's hosts are left with uplinks that carry every VLAN, as they started. */
async function putBack(ctx) {
  const quiet = { ...ctx, say: { check: () => {} } };
  for (const hostId of ctx.hosts) await setUplinks(quiet, { [hostId]: [] }).catch(() => {});
}

process.exitCode = await main();
