// 2,000 simulated hosts × 1,000 logical networks in one zone: time until every host holds every construct, host agent RSS.
import { connect } from '@nats-io/transport-node';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { rawFanOut } from './lib/fan-out.mjs';
import { call, pool, startBenchStack } from './lib/services.mjs';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 2000);
const NETWORKS = Number(process.env.BENCH_NETWORKS ?? 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default async function networksBench() {
  const stack = await startBenchStack();
  try {
    console.log(`networks: ${HOSTS} hosts × ${NETWORKS} networks in one zone`);
    const nm = await stack.startService('network-manager');
    const ha = await stack.startService('host-agent', { HOSTS: String(HOSTS) });
    const zone = (await call(nm.url, 'POST', '/transport-zones', { name: 'bench' })).id;
    const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);

    // What every host holds, from the reports hosts send once their store has it durably.
    const holds = new Map(hostIds.map((h) => [h, new Set()]));
    let converged = 0;
    let convergedAt = 0;
    let target = 0;
    const nc = await connect(await natsOptions(stack.nats));
    nc.subscribe('hosts.*.report', {
      callback: (_err, msg) => {
        const r = msg.json();
        const set = holds.get(r.hostId);
        if (!set) return;
        const before = set.size;
        if (r.held) {
          const keep = new Set(r.held.map((h) => h.id));
          for (const id of [...set]) if (!keep.has(id)) set.delete(id);
        }
        for (const c of r.upserted) set.add(c.id);
        for (const id of r.removed) set.delete(id);
        if (target && before < target && set.size >= target) {
          converged++;
          if (converged === HOSTS) convergedAt = performance.now();
        }
      },
    });

    const t0 = performance.now();
    await pool(hostIds, 16, (hostId) => call(nm.url, 'POST', '/transport-nodes', { hostId, transportZoneIds: [zone] }));
    console.log(`  ${HOSTS} transport nodes added in ${Math.round(performance.now() - t0)} ms`);
    await sleep(2000);

    target = NETWORKS;
    const tCreate = performance.now();
    const constructs = [];
    await pool(
      Array.from({ length: NETWORKS }, (_, i) => i),
      16,
      async (i) => {
        constructs.push(await call(nm.url, 'POST', '/logical-networks', { name: `net-${i}`, transportZoneId: zone }));
      },
    );
    const lastCreate = performance.now();
    console.log(
      `  ${NETWORKS} networks created in ${Math.round(lastCreate - tCreate)} ms (${Math.round((NETWORKS * 1000) / (lastCreate - tCreate))}/s)`,
    );

    // Holding: what the host agent serves for each host (GET /hosts summaries), polled.
    const deadline = Date.now() + 120000;
    let heldAt = 0;
    while (!heldAt && Date.now() < deadline) {
      const summaries = await call(ha.url, 'GET', '/hosts');
      if (summaries.length >= HOSTS && summaries.every((h) => h.logicalNetworkCount >= NETWORKS)) heldAt = performance.now();
      else await sleep(50);
    }
    // Reported: durable in every host's store and reported to the managers.
    while (!convergedAt && Date.now() < deadline) await sleep(20);
    const rss = ha.peakRssMiB();
    if (!heldAt || !convergedAt) {
      const behind = [...holds].filter(([, s]) => s.size < NETWORKS).length;
      console.log(`  NOT converged within 120 s: ${behind} host(s) short in reports`);
    }
    const afterLast = heldAt ? heldAt - lastCreate : null;
    const fromFirst = heldAt ? heldAt - tCreate : null;
    const reportedAfterLast = convergedAt ? convergedAt - lastCreate : null;

    const baselineMs = await rawFanOut(stack.nats, { subscribers: HOSTS, payloads: constructs.map((c) => JSON.stringify(c)) });
    console.log('');
    console.log(
      `  every host holds every construct: ${afterLast === null ? 'n/a' : Math.round(afterLast)} ms after the last create` +
        ` (${fromFirst === null ? 'n/a' : Math.round(fromFirst)} ms after the first)  target ≤ 5000 ms  ${afterLast !== null && afterLast <= 5000 ? 'PASS' : 'MISS'}`,
    );
    console.log(
      `  every host durably stored and reported every construct: ${reportedAfterLast === null ? 'n/a' : Math.round(reportedAfterLast)} ms after the last create`,
    );
    console.log(`  host agent peak RSS: ${Math.round(rss)} MiB  target ≤ 1024 MiB  ${rss <= 1024 ? 'PASS' : 'MISS'}`);
    console.log(
      `  baseline, raw NATS fan-out of the same ${NETWORKS} constructs to ${HOSTS} subscribers: ${Math.round(baselineMs)} ms`,
    );
    if (fromFirst !== null)
      console.log(`  ratio (ours, first create → converged) / raw fan-out: ${(fromFirst / baselineMs).toFixed(2)}×`);
    await nc.close();
  } finally {
    await stack.stop();
  }
}
