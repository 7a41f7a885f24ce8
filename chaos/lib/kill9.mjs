// kill -9 under load: the scenario behind `npm run chaos -- kill9` and test/kill9-under-load.e2e-spec.ts.
//
// Throw-away NATS and PostgreSQL, the three services, N simulated hosts on one switch and in one
// transport zone. Under a load of port-group PATCHes, logical-network creates and DCN migrations, the
// compute manager, the network manager, the host agent and nats-server are each killed with SIGKILL
// K times, in a seeded random order at seeded random moments, and started again on the same port and
// data. Then it checks what CONTRACT §6.8 promises: every acknowledged change is in its log exactly
// once (and each log in its JetStream stream exactly once), every host converges to the switch's last
// revision and holds every network, no task stays `running`, and no DCN has a port on two hosts.
import { randomUUID } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { call, pool, startBenchStack } from '../../bench/lib/services.mjs';
import { natsOptions } from '../../scripts/lib/stack.mjs';
import { compareLogAndStream, streamMsgIds } from './bus-audit.mjs';
import { request } from './requests.mjs';

// The compute manager's bucket of host-specific desired state (KV_HOST_PORTS in @vnet/contracts).
const KV_HOST_PORTS = 'vnet-host-ports';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A small seeded generator (mulberry32): the same seed gives the same faults at the same moments. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The faults in a seeded random order: each target `kills` times. */
export function faultPlan(targets, kills, random) {
  const plan = targets.flatMap((t) => Array.from({ length: kills }, () => t));
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  return plan;
}

export function median(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Every event of a manager's log (`GET /events`, paged). */
async function logEvents(base) {
  const events = [];
  let after = 0;
  for (;;) {
    const page = await call(base, 'GET', `/events?limit=1000&after=${after}`);
    events.push(...page.events);
    if (page.next === null) return events;
    after = page.next;
  }
}

/** `items` counted: how many were never seen (lost) and how many were seen more than once (duplicated). */
export function exactlyOnce(acknowledged, recorded) {
  const count = new Map();
  for (const key of recorded) count.set(key, (count.get(key) ?? 0) + 1);
  return {
    lost: acknowledged.filter((k) => !count.has(k)),
    duplicated: acknowledged.filter((k) => (count.get(k) ?? 0) > 1),
  };
}

/** The hosts holding a port of each DCN, from the host agent's views: `Map<dcnId, Set<hostId>>`. */
export function dcnPortHosts(views) {
  const where = new Map();
  for (const v of views) {
    const connectees = [...v.computeSwitches.flatMap((s) => s.ports), ...v.networkSwitch.ports].map((p) => p.connectee);
    for (const c of connectees)
      if (c?.type === 'dcn') {
        if (!where.has(c.dcnId)) where.set(c.dcnId, new Set());
        where.get(c.dcnId).add(v.hostId);
      }
  }
  return where;
}

/**
 * Runs the scenario. Options: `hosts` (N), `kills` (K per target), `seed`, `writers` (per kind of
 * change), `dcns`, `gapMs` ([min, max] between faults), `downMs` ([min, max] a killed process stays
 * down), `createPauseMs` (between one writer's network creates), `log`. Answers the figures and the
 * list of problems (empty when every promise held).
 */
export async function runKill9(options = {}) {
  const {
    hosts = 2000,
    kills = 10,
    seed = Math.floor(Math.random() * 2 ** 31),
    writers = 2,
    dcns = 4,
    gapMs = [2000, 8000],
    downMs = [0, 1500],
    // Every network reaches every host, and every report of a host carries all it holds: creates
    // back to back would grow each host's state by thousands of constructs within the run.
    createPauseMs = hosts >= 200 ? 5000 : 500,
    // A switch spanning thousands of hosts takes a few hundred ms to push: writers back to back
    // would queue more than the bus can carry on a small machine (the host agent became a slow consumer).
    patchPauseMs = hosts >= 200 ? 1000 : 0,
    convergeTimeoutMs = 120000,
    log = console.log,
  } = options;
  const random = seededRandom(seed);
  const between = ([lo, hi]) => lo + Math.floor(random() * (hi - lo + 1));
  const targets = ['compute-manager', 'network-manager', 'host-agent', 'nats-server'];
  const plan = faultPlan(targets, kills, random);
  log(
    `kill9: seed ${seed}, ${hosts} hosts, ${kills} kill(s) of each of ${targets.join(', ')} (${plan.length} faults), ${writers} writers of each kind (PATCH pause ${patchPauseMs} ms, create pause ${createPauseMs} ms), ${dcns} DCNs migrating`,
  );
  const problems = [];
  const stack = await startBenchStack();
  let nc = null;
  let running = true;
  try {
    const nm = await stack.startService('network-manager');
    const cm = await stack.startService('compute-manager');
    const ha = await stack.startService('host-agent', { HOSTS: String(hosts) });
    const services = { 'network-manager': nm, 'compute-manager': cm, 'host-agent': ha };
    const hostIds = Array.from({ length: hosts }, (_, i) => `host-${i + 1}`);

    // The fixture: a zone with every host as a transport node, a network on it, a switch over every
    // host with one port group, and DCNs with a port on each.
    const tSetup = Date.now();
    const zone = await call(nm.url, 'POST', '/transport-zones', { name: 'hosts' });
    await pool(hostIds, 16, (hostId) => call(nm.url, 'POST', '/transport-nodes', { hostId, transportZoneIds: [zone.id] }));
    const base = await call(nm.url, 'POST', '/logical-networks', { name: 'base', transportZoneId: zone.id });
    while ((await call(cm.url, 'GET', '/hosts')).length < hosts) await sleep(200);
    const sw = await call(cm.url, 'POST', '/switches', { name: 'dvs', hostIds });
    const pg = await call(cm.url, 'POST', `/switches/${sw.id}/port-groups`, { name: 'pg', vlanId: 10 });
    const taskIds = [sw.taskId, pg.taskId];
    const dcnIds = [];
    const dcnHost = new Map(); // where each DCN is, as the last migration answered
    for (let d = 0; d < dcns; d++) {
      const hostId = hostIds[(d * Math.max(1, Math.floor(hosts / dcns))) % hosts];
      const dcn = await call(cm.url, 'POST', '/dcns', { name: `vm-${d}`, hostId });
      dcnIds.push(dcn.id);
      dcnHost.set(dcn.id, hostId);
      const nic = await call(cm.url, 'POST', `/dcns/${dcn.id}/nics`, { portGroupId: pg.portGroupId });
      taskIds.push(nic.taskId);
      // The host must hold the network (the compute manager learns it from the host) before a port on it.
      for (const t0 = Date.now(); ;) {
        const r = await request(cm.url, 'POST', `/dcns/${dcn.id}/nics`, { logicalNetworkId: base.id });
        if (r.status === 201) {
          taskIds.push(r.json.taskId);
          break;
        }
        if (Date.now() - t0 > 120000) throw new Error(`no logical port for ${dcn.id}: ${r.status} ${JSON.stringify(r.json)}`);
        await sleep(200);
      }
    }
    log(`  fixture ready in ${Date.now() - tSetup} ms`);

    // The load. An acknowledged change is one answered 2xx.
    const answers = {};
    const slowest = {};
    let lastAckAt = 0;
    const note = (what, r) => {
      const label = r.status === 0 ? 'no answer' : r.status === 503 ? `503 ${r.json?.code ?? '?'}` : String(r.status);
      answers[what] ??= {};
      answers[what][label] = (answers[what][label] ?? 0) + 1;
      slowest[what] = Math.max(slowest[what] ?? 0, r.ms);
      if (r.status >= 200 && r.status < 300) lastAckAt = Date.now();
      if (r.status >= 500 && r.status !== 503 && r.status !== 504)
        problems.push(`${what}: answered ${r.status} ${JSON.stringify(r.json)?.slice(0, 200)}`);
    };
    const patches = []; // correlation ids of acknowledged PATCHes
    let latestRevision = 0;
    let vlan = 100;
    const networks = []; // {name, id} of acknowledged creates
    let migrations = 0;
    const load = [
      ...Array.from({ length: writers }, async () => {
        while (running) {
          const correlationId = randomUUID();
          const r = await request(
            cm.url,
            'PATCH',
            `/switches/${sw.id}/port-groups/${pg.portGroupId}`,
            { vlanId: (vlan = vlan >= 4000 ? 100 : vlan + 1) },
            { 'x-correlation-id': correlationId },
          );
          note('PATCH port group', r);
          if (r.status === 202) {
            patches.push(correlationId);
            taskIds.push(r.json.taskId);
            latestRevision = Math.max(latestRevision, r.json.revision);
            if (patchPauseMs) await sleep(patchPauseMs);
          } else await sleep(200);
        }
      }),
      ...Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; running; i++) {
          const name = `net-${w}-${i}`;
          const key = randomUUID();
          // Retried with the same key and body until answered 2xx, even after the load stops.
          for (;;) {
            const r = await request(
              nm.url,
              'POST',
              '/logical-networks',
              { name, transportZoneId: zone.id },
              { 'idempotency-key': key },
            );
            note('POST logical network', r);
            if (r.status === 201) {
              networks.push({ name, id: r.json.id });
              break;
            }
            await sleep(200);
          }
          await sleep(createPauseMs);
        }
      }),
      (async () => {
        for (let i = 0; running; i++) {
          const dcnId = dcnIds[i % dcnIds.length];
          const others = hostIds.filter((h) => h !== dcnHost.get(dcnId));
          const targetHostId = others[Math.floor(random() * others.length)];
          const r = await request(cm.url, 'POST', `/dcns/${dcnId}/migrate`, { targetHostId });
          note('POST migrate', r);
          if (r.status === 200) {
            migrations++;
            dcnHost.set(dcnId, r.json.hostId);
          } else {
            if (r.status === 400 || (r.status === 409 && r.json?.code !== 'NETWORK_NOT_ON_TARGET'))
              log(`  migrate ${dcnId} to ${targetHostId}: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
            await sleep(200);
          }
        }
      })(),
    ];

    // Host views, fetched from the host agent (`null` for one it did not answer).
    const views = async () => {
      const out = new Array(hostIds.length).fill(null);
      await pool(hostIds, 64, async (hostId, i) => {
        const r = await request(ha.url, 'GET', `/hosts/${hostId}`, undefined, {}, 10000);
        if (r.status === 200) out[i] = r.json;
      });
      return out;
    };
    const atRevision = (v) => v?.computeSwitches.find((s) => s.id === sw.id)?.revision ?? 0;
    const waitFor = async (probe) => {
      const t0 = Date.now();
      while (Date.now() - t0 < convergeTimeoutMs) {
        if (await probe()) return Date.now() - t0;
        await sleep(200);
      }
      return null;
    };

    // The faults.
    const faults = [];
    for (const [n, target] of plan.entries()) {
      await sleep(between(gapMs));
      const down = between(downMs);
      const tKill = Date.now();
      let nats;
      if (target === 'nats-server') nats = await stack.killNats();
      else await services[target].kill();
      await sleep(down);
      if (target === 'nats-server') await stack.startNats(nats.port);
      else await services[target].restart();
      const back = Date.now();
      // Every host at the latest revision acknowledged when the killed process was back.
      const target0 = latestRevision;
      const convergedMs = await waitFor(async () => (await views()).every((v) => atRevision(v) >= target0));
      faults.push({ target, downMs: back - tKill, convergedMs });
      log(
        `  fault ${n + 1}/${plan.length}: kill -9 ${target}, back ${back - tKill} ms later; every host at revision ≥ ${target0} ${convergedMs === null ? 'NOT within ' + convergeTimeoutMs + ' ms' : convergedMs + ' ms'} after it was back`,
      );
      if (convergedMs === null)
        problems.push(`after kill -9 of ${target} (fault ${n + 1}) the hosts did not reach revision ${target0}`);
    }
    const lastRestart = Date.now();
    running = false;
    await Promise.all(load);
    // Changes acknowledged after the last restart (requests in flight, creates retried until 2xx)
    // count from their acknowledgement.
    const settledAt = Math.max(lastRestart, lastAckAt);
    log(
      `  load stopped ${Date.now() - lastRestart} ms after the last restart; last change acknowledged ${Math.max(0, lastAckAt - lastRestart)} ms after it`,
    );

    // Converged after the last restart: every host at the switch's last revision, holding every
    // network, and each DCN's ports on its host only.
    const final = await call(cm.url, 'GET', `/switches/${sw.id}`);
    const networkIds = [base.id, ...networks.map((n) => n.id)];
    let lastViews = [];
    let dcnHosts = new Map();
    const wantDcns = Object.fromEntries(
      await Promise.all(dcnIds.map(async (id) => [id, (await call(cm.url, 'GET', `/dcns/${id}`)).hostId])),
    );
    const dcnsOk = () => dcnIds.every((id) => dcnHosts.get(id)?.size === 1 && dcnHosts.get(id).has(wantDcns[id]));
    // While DCN ports are not in place: each offending DCN, the host the compute manager says (now
    // and when the wait began), the hosts whose views hold its ports, and, for those hosts, the
    // revision of their ports in the compute manager's bucket and the hosts holding its ports there.
    const explainDcns = async (elapsedMs) => {
      const off = dcnIds.filter((id) => !(dcnHosts.get(id)?.size === 1 && dcnHosts.get(id).has(wantDcns[id])));
      if (!off.length) return;
      let desired = null;
      try {
        diagNc ??= await connect(await natsOptions(stack.nats));
        const kv = await new Kvm(diagNc).open(KV_HOST_PORTS);
        desired = async (hostId) => (await kv.get(hostId))?.json() ?? null;
      } catch (err) {
        log(`  (DCN ports: the host-ports bucket not read: ${err.message})`);
      }
      const parts = await Promise.all(
        off.map(async (id) => {
          const r = await request(cm.url, 'GET', `/dcns/${id}`);
          const inViews = [...(dcnHosts.get(id) ?? [])];
          const hosts = [...new Set([wantDcns[id], r.json?.hostId, ...inViews].filter(Boolean))];
          const perHost = await Promise.all(
            hosts.map(async (h) => {
              const d = desired ? await desired(h).catch(() => null) : null;
              const inBucket = d ? d.ports.some((p) => p.dcnId === id) : '?';
              const v = lastViews[hostIds.indexOf(h)];
              const on = v
                ? [
                    ...(v.computeSwitches.some((sw) => sw.ports.some((p) => p.connectee?.dcnId === id)) ? ['switch'] : []),
                    ...(v.networkSwitch.ports.some((p) => p.connectee?.dcnId === id) ? ['logical'] : []),
                  ].join('+') || 'none'
                : 'no view';
              return `${h}: bucket rev ${d?.revision ?? '-'} holds it ${inBucket}, applied rev ${await portsAppliedOn(h)}, its view's ports ${on}${v?.pendingRollback ? `, rollback pending ${JSON.stringify(v.pendingRollback)}` : ''}`;
            }),
          );
          return `${id} CM host ${r.json?.hostId ?? r.status}${r.json?.migratingTo ? ` (migrating to ${r.json.migratingTo})` : ''} (want ${wantDcns[id]}), in views on [${inViews.join(', ')}]; ${perHost.join('; ')}`;
        }),
      );
      log(`  DCN ports not in place ${elapsedMs} ms after the wait began: ${parts.join(' | ')}`);
    };
    // The last ports revision a host's journal says it took (`PortsApplied`), from its newest entries.
    const portsAppliedOn = async (hostId) => {
      let after = 0;
      let last = '-';
      for (let page = 0; page < 50; page++) {
        const r = await request(ha.url, 'GET', `/hosts/${hostId}/events?after=${after}&limit=500`);
        const items = r.json?.events ?? [];
        if (r.status !== 200) break;
        for (const e of items) if (e.type === 'PortsApplied') last = e.data?.revision ?? last;
        if (r.json.next === null || r.json.next === undefined) break;
        after = r.json.next;
      }
      return last;
    };
    let diagNc = null;
    let explainedAt = 0;
    const reached = {};
    const waitT0 = Date.now();
    const finalMs = await waitFor(async () => {
      lastViews = await views();
      dcnHosts = dcnPortHosts(lastViews.filter(Boolean));
      const done = {
        revision: lastViews.every((v) => v && atRevision(v) === final.revision),
        networks: lastViews.every((v) => v && networkIds.every((id) => v.networkSwitch.logicalNetworks.some((c) => c.id === id))),
        dcns: dcnsOk(),
      };
      for (const [k, ok] of Object.entries(done)) if (ok) reached[k] ??= Date.now() - settledAt;
      if (!done.dcns && Date.now() - explainedAt >= 3000) {
        explainedAt = Date.now();
        await explainDcns(Date.now() - waitT0);
      }
      return done.revision && done.networks && done.dcns;
    });
    if (finalMs === null && !dcnsOk()) await explainDcns(Date.now() - waitT0);
    await diagNc?.close();
    log(
      `  after the last restart and the last acknowledged change: hosts at the last revision ${reached.revision ?? '-'} ms, holding every network ${reached.networks ?? '-'} ms, DCN ports in place ${reached.dcns ?? '-'} ms`,
    );
    const finalAfterLast = finalMs === null ? null : Date.now() - settledAt;
    if (finalMs === null) {
      const behind = lastViews.filter((v) => !v || atRevision(v) !== final.revision).length;
      const missing = lastViews.filter(
        (v) => v && networkIds.some((id) => !v.networkSwitch.logicalNetworks.some((c) => c.id === id)),
      ).length;
      problems.push(
        `after the last restart: ${behind} hosts not at revision ${final.revision}, ${missing} missing a network, DCN ports ${JSON.stringify(Object.fromEntries([...dcnHosts].map(([k, s]) => [k, [...s]])))} (want ${JSON.stringify(wantDcns)})`,
      );
    }
    const twoHosts = dcnIds.filter((id) => (dcnHosts.get(id)?.size ?? 0) > 1).length;
    if (twoHosts) problems.push(`${twoHosts} DCNs have ports on more than one host`);

    // No task stays running (each ends, at the latest, when the task timeout passes).
    let stillRunning = [];
    const tasksMs = await waitFor(async () => {
      const states = [];
      await pool(taskIds, 16, async (id) => states.push([id, (await call(cm.url, 'GET', `/tasks/${id}`)).state]));
      stillRunning = states.filter(([, s]) => s === 'running').map(([id]) => id);
      return stillRunning.length === 0;
    });
    if (tasksMs === null) problems.push(`${stillRunning.length} tasks still running: ${stillRunning.slice(0, 5).join(', ')}`);

    // Every acknowledged change in its log exactly once; each log in its stream exactly once.
    const cmEvents = await logEvents(cm.url);
    const nmEvents = await logEvents(nm.url);
    const patched = exactlyOnce(
      patches,
      cmEvents.filter((e) => e.type === 'PortGroupReconfigured').map((e) => e.metadata.correlationId),
    );
    const created = exactlyOnce(
      networks.map((n) => n.name),
      nmEvents.filter((e) => e.type === 'LogicalNetworkCreated').map((e) => e.data.name),
    );
    const listed = exactlyOnce(
      networks.map((n) => n.id),
      (await call(nm.url, 'GET', '/logical-networks')).map((n) => n.id),
    );
    nc = await connect(await natsOptions(stack.nats));
    const bus = {};
    for (const [service, stream] of [
      [nm, 'EVENTS_NETWORK_MANAGER'],
      [cm, 'EVENTS_COMPUTE_MANAGER'],
    ]) {
      const t0 = Date.now();
      let r;
      do {
        const { lost, duplicated } = compareLogAndStream(
          (await logEvents(service.url)).map((e) => e.id),
          await streamMsgIds(nc, stream),
        );
        r = { lost: lost.length, duplicated: duplicated.length };
        if (r.lost > 0) await sleep(500);
      } while (r.lost > 0 && Date.now() - t0 < 30000);
      bus[stream] = r;
    }

    const converged = faults.map((f) => f.convergedMs).filter((ms) => ms !== null);
    const report = {
      seed,
      hosts,
      faults: faults.length,
      faultsByTarget: Object.fromEntries(targets.map((t) => [t, faults.filter((f) => f.target === t).length])),
      patches: { acknowledged: patches.length, lost: patched.lost.length, duplicated: patched.duplicated.length },
      networks: {
        acknowledged: networks.length,
        lost: created.lost.length + listed.lost.length,
        duplicated: created.duplicated.length + listed.duplicated.length,
      },
      migrations,
      bus,
      convergence: { medianMs: median(converged), maxMs: converged.length ? Math.max(...converged) : null },
      finalConvergenceMs: finalAfterLast,
      finalRevision: final.revision,
      tasks: { checked: taskIds.length, stillRunning: stillRunning.length },
      dcnsOnTwoHosts: twoHosts,
      answers,
      slowestMs: slowest,
    };
    log('answers (status × count):');
    for (const [what, a] of Object.entries(answers))
      log(
        `  ${what.padEnd(22)} ${Object.entries(a)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}  slowest ${slowest[what]} ms`,
      );
    log(
      `faults injected: ${faults.length} (${Object.entries(report.faultsByTarget)
        .map(([t, n]) => `${t} ×${n}`)
        .join(', ')})`,
    );
    log(`PATCHes acknowledged ${patches.length}: lost ${patched.lost.length}, duplicated ${patched.duplicated.length}`);
    log(
      `logical networks acknowledged ${networks.length}: lost ${report.networks.lost}, duplicated ${report.networks.duplicated}`,
    );
    log(`DCN migrations answered 200: ${migrations}; DCNs with ports on two hosts: ${twoHosts}`);
    for (const [stream, r] of Object.entries(bus))
      log(`${stream}: log events missing from the stream ${r.lost}, duplicated in the stream ${r.duplicated}`);
    log(
      `every host at the latest revision after each fault: median ${report.convergence.medianMs} ms, max ${report.convergence.maxMs} ms`,
    );
    log(
      `every host at the last revision (${final.revision}) with all ${networkIds.length} networks, DCN ports on one host each: ${finalAfterLast} ms after the last restart (or the last change acknowledged after it)`,
    );
    log(`tasks checked ${taskIds.length}: still running ${stillRunning.length}`);
    if (patched.lost.length || patched.duplicated.length)
      problems.push(`PATCHes lost ${patched.lost.length}, duplicated ${patched.duplicated.length}`);
    if (report.networks.lost || report.networks.duplicated)
      problems.push(`networks lost ${report.networks.lost}, duplicated ${report.networks.duplicated}`);
    for (const [stream, r] of Object.entries(bus))
      if (r.lost || r.duplicated) problems.push(`${stream}: lost ${r.lost}, duplicated ${r.duplicated}`);
    if (finalAfterLast !== null && finalAfterLast > 10000)
      problems.push(`the hosts converged ${finalAfterLast} ms after the last restart (target ≤ 10,000 ms)`);
    for (const p of problems.slice(0, 30)) log(`PROBLEM ${p}`);
    log(problems.length ? `kill9: FAILED (${problems.length} problems, seed ${seed})` : `kill9: passed (seed ${seed})`);
    return { ...report, problems };
  } finally {
    running = false;
    await nc?.close();
    await stack.stop();
  }
}
