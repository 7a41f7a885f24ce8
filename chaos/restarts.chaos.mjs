// Restarts under load: PostgreSQL and NATS each stopped for 10 s while writers keep writing.
//
// `npm run chaos -- restarts [--cycles K] [--outage-ms MS] [--hosts N] [--writers W]` starts
// throw-away NATS and PostgreSQL, the three services and N simulated hosts (default 20) on one
// switch and one transport zone. W writers per manager (default 4) keep writing: on the network
// manager, transport zones with unique names (POST with an Idempotency-Key, retried until it is
// answered 2xx); on the compute manager, PATCHes of one port group's VLAN. Each cycle stops
// PostgreSQL for MS (default 10,000) and starts it again, lets the load run 10 s, then does the
// same with NATS. It reports, per outage: the answers seen while the dependency was down (only
// 503 DEPENDENCY_UNAVAILABLE may be refused; no answer may take more than 5 s), how long after the
// restart every service was healthy again, and how long until every host ran the latest switch
// revision. At the end: acknowledged zones missing (lost) or present twice (duplicated), and the
// events of each manager's log missing from its JetStream stream or present there twice. Exit
// code 1 when anything was lost, duplicated, hung or answered another 5xx.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { call, startBenchStack } from '../bench/lib/services.mjs';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { option, request } from './lib/requests.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const SLOW_MS = 5000;

const healthy = async (s) => (await request(s.url, 'GET', '/health')).status === 200;

async function logIds(base) {
  const ids = [];
  let after = 0;
  for (;;) {
    const page = await call(base, 'GET', `/events?limit=1000&after=${after}`);
    ids.push(...page.events.map((e) => e.id));
    if (page.next === null) return ids;
    after = page.next;
  }
}

async function streamIds(nc, stream) {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const name = `audit-${Date.now()}`;
  await jsm.consumers.add(stream, { name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
  const consumer = await jetstream(nc).consumers.get(stream, name);
  const ids = [];
  while (ids.length < total) {
    for await (const m of await consumer.fetch({ max_messages: 1000, expires: 2000 }))
      ids.push(m.headers?.get('Nats-Msg-Id') ?? '');
  }
  await jsm.consumers.delete(stream, name);
  return ids;
}

function compare(log, stream) {
  const seen = new Map();
  for (const id of stream) seen.set(id, (seen.get(id) ?? 0) + 1);
  return { lost: log.filter((id) => !seen.has(id)).length, duplicated: [...seen.values()].filter((n) => n > 1).length };
}

export default async function restarts(args) {
  const cycles = option(args, 'cycles', 1);
  const outageMs = option(args, 'outage-ms', 10000);
  const hosts = option(args, 'hosts', 20);
  const writers = option(args, 'writers', 4);
  console.log(
    `restarts: ${cycles} cycle(s) of PostgreSQL and NATS each down ${outageMs} ms, ${hosts} hosts, ${writers} writers per manager`,
  );
  const stack = await startBenchStack();
  const problems = [];
  try {
    const nm = await stack.startService('network-manager');
    const cm = await stack.startService('compute-manager');
    const ha = await stack.startService('host-agent', { HOSTS: String(hosts) });
    const services = [nm, cm, ha];
    const hostIds = Array.from({ length: hosts }, (_, i) => `host-${i + 1}`);
    const zone = await call(nm.url, 'POST', '/transport-zones', { name: 'hosts' });
    await call(nm.url, 'POST', '/logical-networks', { name: 'n', transportZoneId: zone.id });
    for (const hostId of hostIds) {
      await call(nm.url, 'POST', '/transport-nodes', { hostId, transportZoneIds: [zone.id] });
      await call(cm.url, 'POST', '/hosts', { hostId });
    }
    const sw = await call(cm.url, 'POST', '/switches', { name: 's', hostIds, rollbackTimeoutMs: 5000 });
    const pg = await call(cm.url, 'POST', `/switches/${sw.id}/port-groups`, { name: 'pg', vlanId: 10 });

    // The load, and what it saw in each phase.
    let phase = 'up';
    const seen = {};
    const note = (service, r) => {
      const key = `${phase} ${service}`;
      const entry = (seen[key] ??= { answers: {}, slowest: 0 });
      const label = r.status === 503 ? `503 ${r.json?.code ?? '?'}` : String(r.status);
      entry.answers[label] = (entry.answers[label] ?? 0) + 1;
      entry.slowest = Math.max(entry.slowest, r.ms);
      if (r.ms > SLOW_MS)
        problems.push(
          `${key}: an answer took ${r.ms} ms (sent ${new Date(Date.now() - r.ms).toISOString()}, ${r.status} ${JSON.stringify(r.json)?.slice(0, 160)})`,
        );
      if (r.status === 0) problems.push(`${key}: no answer (${r.error})`);
      if (r.status >= 500 && !(r.status === 503 && r.json?.code === 'DEPENDENCY_UNAVAILABLE'))
        problems.push(`${key}: answered ${r.status} ${JSON.stringify(r.json)?.slice(0, 200)}`);
    };
    let running = true;
    const acknowledgedZones = [];
    let latestRevision = 0;
    const load = [
      ...Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; running; i++) {
          const name = `w${w}-${i}`;
          const key = randomUUID();
          for (;;) {
            const r = await request(nm.url, 'POST', '/transport-zones', { name }, { 'idempotency-key': key });
            note('network-manager', r);
            if (r.status === 201) {
              acknowledgedZones.push(name);
              break;
            }
            await sleep(200);
          }
        }
      }),
      ...Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; running; i++) {
          const r = await request(cm.url, 'PATCH', `/switches/${sw.id}/port-groups/${pg.portGroupId}`, {
            vlanId: 100 + ((w * 997 + i) % 3000),
          });
          note('compute-manager', r);
          if (r.status === 202) latestRevision = Math.max(latestRevision, r.json.revision);
          else await sleep(200);
        }
      }),
    ];

    const converged = async (t0) => {
      for (;;) {
        const target = latestRevision;
        const views = await Promise.all(hostIds.map((h) => request(ha.url, 'GET', `/hosts/${h}`)));
        const at = views.map((v) => (v.status === 200 ? (v.json.computeSwitches.find((s) => s.id === sw.id)?.revision ?? 0) : 0));
        if (at.every((r) => r >= target)) return Date.now() - t0;
        if (Date.now() - t0 > 120000) return null;
        await sleep(100);
      }
    };
    const outages = [];
    const outage = async (name, stop, start) => {
      await sleep(10000);
      phase = `${name} down`;
      const was = await stop();
      const down = Date.now();
      await sleep(outageMs);
      await start(was.port);
      phase = `${name} back`;
      const back = Date.now();
      let healthyMs = null;
      while (Date.now() - back < 120000) {
        if ((await Promise.all(services.map(healthy))).every(Boolean)) {
          healthyMs = Date.now() - back;
          break;
        }
        await sleep(100);
      }
      // Hosts run the latest revision acknowledged so far (the load goes on meanwhile).
      const convergedMs = await converged(back);
      outages.push({ name, downMs: back - down, healthyMs, convergedMs });
      console.log(
        `  ${name} down ${back - down} ms: every service healthy ${healthyMs} ms and every host at the latest revision ${convergedMs} ms after it was back`,
      );
      if (healthyMs === null) problems.push(`${name}: the services were not healthy within 120 s of its return`);
      if (convergedMs === null) problems.push(`${name}: the hosts did not converge within 120 s of its return`);
      phase = 'up';
    };
    for (let c = 0; c < cycles; c++) {
      await outage('postgresql', stack.stopPostgres, stack.startPostgres);
      await outage('nats', stack.stopNats, stack.startNats);
    }
    await sleep(5000);
    running = false;
    await Promise.all(load);
    const lastConverged = await converged(Date.now());
    if (lastConverged === null) problems.push('the hosts did not converge to the last revision');

    // Lost or duplicated: zones acknowledged vs listed, and each log vs its stream.
    const listed = (await call(nm.url, 'GET', '/transport-zones')).map((z) => z.name);
    const count = new Map();
    for (const name of listed) count.set(name, (count.get(name) ?? 0) + 1);
    const lostZones = acknowledgedZones.filter((n) => !count.has(n)).length;
    const duplicatedZones = [...count].filter(([, n]) => n > 1).length;
    const nc = await connect(await natsOptions(stack.nats));
    const bus = {};
    for (const [service, stream] of [
      [nm, 'EVENTS_NETWORK_MANAGER'],
      [cm, 'EVENTS_COMPUTE_MANAGER'],
    ]) {
      const t0 = Date.now();
      let r;
      do {
        r = compare(await logIds(service.url), await streamIds(nc, stream));
        if (r.lost > 0) await sleep(500);
      } while (r.lost > 0 && Date.now() - t0 < 30000);
      bus[stream] = r;
    }
    await nc.close();

    console.log('answers by phase (status × count, slowest):');
    for (const [key, entry] of Object.entries(seen))
      console.log(
        `  ${key.padEnd(34)} ${Object.entries(entry.answers)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}  slowest ${entry.slowest} ms`,
      );
    console.log(`zones acknowledged ${acknowledgedZones.length}: lost ${lostZones}, duplicated ${duplicatedZones}`);
    for (const [stream, r] of Object.entries(bus))
      console.log(`${stream}: log events missing from the stream ${r.lost}, duplicated in the stream ${r.duplicated}`);
    console.log(`faults injected: ${outages.length} (${outages.map((o) => o.name).join(', ')})`);
    if (lostZones || duplicatedZones) problems.push(`zones lost ${lostZones}, duplicated ${duplicatedZones}`);
    for (const [stream, r] of Object.entries(bus))
      if (r.lost || r.duplicated) problems.push(`${stream}: lost ${r.lost}, duplicated ${r.duplicated}`);
  } finally {
    await stack.stop();
  }
  for (const p of problems.slice(0, 30)) console.log(`PROBLEM ${p}`);
  console.log(problems.length ? `restarts: FAILED (${problems.length} problems)` : 'restarts: passed');
  return problems.length ? 1 : 0;
}
