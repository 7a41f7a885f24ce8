// A 3-node NATS cluster under load: the leader of the compute manager's event stream killed -9,
// again and again, while port-group changes keep coming.
//
// `npm run chaos -- cluster [--hosts N] [--cycles K] [--writers W] [--down-ms MS]` starts three
// nats-server nodes clustered on loopback (scripts/lib/stack.mjs startNatsCluster, the same
// operator-mode auth as one server), PostgreSQL, the three services with NATS_REPLICAS=3 and N
// simulated hosts (default 500) on one switch. W writers (default 2) keep PATCHing one port
// group's VLAN on the compute manager (each change with a correlation id of its own), and W more
// create transport zones on the network manager (POST with an Idempotency-Key, retried until 2xx).
// Each of K cycles (default 3) lets the load run 10 s, kills -9 the node that leads
// EVENTS_COMPUTE_MANAGER, keeps it down MS (default 15,000) and starts it again. Per cycle it
// measures, for a change acknowledged with the node down and one acknowledged after it is back,
// the time from the change's acknowledgement until every host runs it (hosts' `cm.status` reports,
// checked on the host agent for the last ones). At the end: acknowledged changes missing from the
// compute manager's log or in it twice, acknowledged zones missing or listed twice, and each
// manager's log events missing from its stream or there twice. Exit code 1 on any loss,
// duplicate, answer other than 2xx or 503 DEPENDENCY_UNAVAILABLE, or host that did not converge.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { call, pool, startBenchStack, TOKEN } from '../bench/lib/services.mjs';
import { median } from '../bench/lib/stats.mjs';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { compareLogAndStream, logEventIds, streamMsgIds } from './lib/bus-audit.mjs';
import { option, request } from './lib/requests.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const EVENTS = 'EVENTS_COMPUTE_MANAGER';
const CONVERGE_TIMEOUT_MS = 120000;

async function until(what, probe, timeoutMs = 120000) {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export default async function cluster(args) {
  const hosts = option(args, 'hosts', 500);
  const cycles = option(args, 'cycles', 3);
  const writers = option(args, 'writers', 2);
  const downMs = option(args, 'down-ms', 15000);
  console.log(
    `cluster: 3 NATS nodes, NATS_REPLICAS=3, ${hosts} hosts, ${cycles} kill -9 of the event stream's leader (down ${downMs} ms), ${writers} writers per manager`,
  );
  const stack = await startBenchStack({ natsCluster: 3 });
  const problems = [];
  const faults = [];
  const convergence = { down: [], back: [] };
  let nc = null;
  try {
    const nm = await stack.startService('network-manager');
    const cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '60000' });
    const ha = await stack.startService('host-agent', { HOSTS: String(hosts) });
    const hostIds = Array.from({ length: hosts }, (_, i) => `host-${i + 1}`);
    await until(
      'every host known to the compute manager',
      async () => (await call(cm.url, 'GET', '/hosts')).length >= hosts,
      300000,
    );
    const sw = await call(cm.url, 'POST', '/switches', { name: 's', hostIds, rollbackTimeoutMs: 5000 });
    const pg = await call(cm.url, 'POST', `/switches/${sw.id}/port-groups`, { name: 'pg', vlanId: 10 });
    nc = await connect(await natsOptions(stack.nats, 'admin', { maxReconnectAttempts: -1 }));
    const jsm = await jetstreamManager(nc, { timeout: 10000 });

    // What each host runs, from its status reports (the host agent is asked about the last ones).
    const applied = new Map(hostIds.map((h) => [h, 0]));
    const statuses = nc.subscribe('cm.status.*', {
      callback: (_e, msg) => {
        try {
          const s = msg.json();
          if (s.kind === 'switch' && s.targetId === sw.id && s.state === 'applied')
            applied.set(s.hostId, Math.max(applied.get(s.hostId) ?? 0, s.revision));
        } catch {
          /* not a status */
        }
      },
    });
    // When each revision's final state landed in the bucket the hosts watch (splits the managers' part from the hosts').
    const putAt = new Map();
    const puts = nc.subscribe(`$KV.vnet-switches.${sw.id}`, {
      callback: (_e, msg) => {
        try {
          const revision = msg.json().revision;
          if (!putAt.has(revision)) putAt.set(revision, Date.now());
        } catch {
          /* a delete marker */
        }
      },
    });
    const putSince = (revision, since) => {
      const at = [...putAt].filter(([r]) => r >= revision).map(([, t]) => t);
      return at.length ? Math.min(...at) - since : null;
    };
    /** Milliseconds from `since` until every host runs `revision` or later; null past the timeout. */
    const converged = async (revision, since) => {
      const t0 = Date.now();
      for (;;) {
        const behind = hostIds.filter((h) => applied.get(h) < revision);
        if (behind.length === 0) return Date.now() - since;
        // Statuses may be missed (a reconnect): the host agent is asked about up to 50 of those behind.
        {
          await pool(behind.slice(0, 50), 10, async (h) => {
            const view = await request(ha.url, 'GET', `/hosts/${h}`);
            const at = view.json?.computeSwitches?.find((s) => s.id === sw.id)?.revision ?? 0;
            if (view.status === 200) applied.set(h, Math.max(applied.get(h), at));
          });
        }
        if (Date.now() - t0 > CONVERGE_TIMEOUT_MS) {
          const at = {};
          for (const h of behind) at[applied.get(h)] = (at[applied.get(h)] ?? 0) + 1;
          console.log(
            `  ${behind.length} hosts not at revision ${revision} after ${CONVERGE_TIMEOUT_MS} ms; they run (revision: hosts) ${JSON.stringify(at)}`,
          );
          return null;
        }
        await sleep(250);
      }
    };
    await until(
      'every host at the switch',
      async () => (await converged((await call(cm.url, 'GET', `/switches/${sw.id}`)).revision, Date.now())) !== null,
    );

    // The load.
    let running = true;
    const acknowledged = []; // { correlationId, revision, at }
    const refusedChanges = [];
    const acknowledgedZones = [];
    const answers = {};
    const note = (what, r) => {
      const label = `${what} ${r.status === 503 ? `503 ${r.json?.code ?? '?'}` : r.status}`;
      answers[label] = (answers[label] ?? 0) + 1;
      if (r.status === 0) problems.push(`${what}: no answer (${r.error})`);
      else if (r.status >= 500 && !(r.status === 503 && r.json?.code === 'DEPENDENCY_UNAVAILABLE'))
        problems.push(`${what}: answered ${r.status} ${JSON.stringify(r.json)?.slice(0, 200)}`);
    };
    let sent = 0;
    const load = [
      ...Array.from({ length: writers }, async () => {
        while (running) {
          const correlationId = `chaos-cluster-${++sent}`;
          const r = await request(
            cm.url,
            'PATCH',
            `/switches/${sw.id}/port-groups/${pg.portGroupId}`,
            { vlanId: 100 + (sent % 3000) },
            { 'x-correlation-id': correlationId },
          );
          note('PATCH port group', r);
          if (r.status === 202) acknowledged.push({ correlationId, revision: r.json.revision, at: Date.now() });
          else {
            refusedChanges.push(correlationId);
            await sleep(200);
          }
          await sleep(50);
        }
      }),
      ...Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; running; i++) {
          const name = `w${w}-${i}`;
          const key = randomUUID();
          for (;;) {
            const r = await request(nm.url, 'POST', '/transport-zones', { name }, { 'idempotency-key': key });
            note('POST zone', r);
            if (r.status === 201) {
              acknowledgedZones.push(name);
              break;
            }
            await sleep(200);
          }
          await sleep(50);
        }
      }),
    ];
    /** A change acknowledged after `t`: how long from its acknowledgement until every host ran it. */
    const sample = async (phase, t) => {
      const change = await until(`a change acknowledged ${phase}`, async () => acknowledged.find((a) => a.at >= t), 60000);
      const ms = await converged(change.revision, change.at);
      if (ms === null)
        problems.push(`${phase}: the hosts did not converge to revision ${change.revision} within ${CONVERGE_TIMEOUT_MS} ms`);
      else convergence[phase === 'with the node down' ? 'down' : 'back'].push(ms);
      return `${ms} ms (in the bucket at ${putSince(change.revision, change.at)} ms)`;
    };

    for (let c = 0; c < cycles; c++) {
      await sleep(10000);
      const leader = (await jsm.streams.info(EVENTS)).cluster.leader;
      await stack.nats.kill(leader);
      const killedAt = Date.now();
      faults.push(leader);
      console.log(`  cycle ${c + 1}: kill -9 ${leader} at ${new Date(killedAt).toISOString()}`);
      const downConverged = await sample('with the node down', killedAt + 1000);
      await sleep(Math.max(0, downMs - (Date.now() - killedAt)));
      const newLeader = (await until('a new leader', async () => (await jsm.streams.info(EVENTS)).cluster?.leader)) ?? '?';
      await stack.nats.startNode(leader);
      const backAt = Date.now();
      const backConverged = await sample('with the node back', backAt + 1000);
      console.log(
        `  cycle ${c + 1}: killed ${leader} (leader of ${EVENTS}; ${newLeader} leads it now), down ${backAt - killedAt} ms; a change made with it down on every host ${downConverged} after its acknowledgement, one made after it returned ${backConverged}`,
      );
    }
    await sleep(5000);
    running = false;
    await Promise.all(load);
    statuses.unsubscribe();
    puts.unsubscribe();
    const last = (await call(cm.url, 'GET', `/switches/${sw.id}`)).revision;
    if ((await converged(last, Date.now())) === null) problems.push(`the hosts did not converge to the last revision ${last}`);

    // Lost or duplicated: acknowledged changes in the log, zones in the list, each log in its stream.
    const changes = new Map();
    let after = 0;
    for (;;) {
      const page = await call(cm.url, 'GET', `/events?limit=1000&after=${after}&type=PortGroupReconfigured`);
      for (const e of page.events) {
        const id = e.metadata.correlationId;
        if (id.startsWith('chaos-cluster-')) changes.set(id, (changes.get(id) ?? 0) + 1);
      }
      if (page.next === null) break;
      after = page.next;
    }
    const lostChanges = acknowledged.filter((a) => !changes.has(a.correlationId)).length;
    const duplicatedChanges = [...changes.values()].filter((n) => n > 1).length;
    const refusedRecorded = refusedChanges.filter((id) => changes.has(id)).length;
    const listed = (await call(nm.url, 'GET', '/transport-zones')).map((z) => z.name);
    const count = new Map();
    for (const name of listed) count.set(name, (count.get(name) ?? 0) + 1);
    const lostZones = acknowledgedZones.filter((n) => !count.has(n)).length;
    const duplicatedZones = [...count].filter(([, n]) => n > 1).length;
    const bus = {};
    for (const [service, stream] of [
      [nm, 'EVENTS_NETWORK_MANAGER'],
      [cm, EVENTS],
    ]) {
      bus[stream] = await until(
        `${stream} to hold the log`,
        async () => {
          const r = compareLogAndStream(await logEventIds(service.url, TOKEN), await streamMsgIds(nc, stream));
          return r.lost.length === 0 ? r : null;
        },
        60000,
      ).catch(async () => compareLogAndStream(await logEventIds(service.url, TOKEN), await streamMsgIds(nc, stream)));
    }

    console.log('answers (status × count):');
    for (const [label, n] of Object.entries(answers)) console.log(`  ${label.padEnd(40)} ${n}`);
    console.log(`faults injected: ${faults.length} kill -9 of the event stream's leader (${faults.join(', ')})`);
    console.log(
      `port-group changes acknowledged ${acknowledged.length}: lost ${lostChanges}, duplicated ${duplicatedChanges}; refused ${refusedChanges.length}, of them recorded ${refusedRecorded}`,
    );
    console.log(`zones acknowledged ${acknowledgedZones.length}: lost ${lostZones}, duplicated ${duplicatedZones}`);
    for (const [stream, r] of Object.entries(bus))
      console.log(
        `${stream}: log events missing from the stream ${r.lost.length}, duplicated in the stream ${r.duplicated.length}`,
      );
    for (const [phase, times] of Object.entries(convergence)) {
      const max = times.length ? Math.max(...times) : NaN;
      console.log(
        `convergence with the node ${phase}: median ${Math.round(median(times))} ms, max ${Math.round(max)} ms (${times.length} changes)`,
      );
    }
    if (lostChanges || duplicatedChanges || refusedRecorded)
      problems.push(
        `port-group changes lost ${lostChanges}, duplicated ${duplicatedChanges}, refused but recorded ${refusedRecorded}`,
      );
    if (lostZones || duplicatedZones) problems.push(`zones lost ${lostZones}, duplicated ${duplicatedZones}`);
    for (const [stream, r] of Object.entries(bus))
      if (r.lost.length || r.duplicated.length)
        problems.push(`${stream}: lost ${r.lost.length}, duplicated ${r.duplicated.length}`);
  } finally {
    await nc?.close();
    await stack.stop();
  }
  for (const p of problems.slice(0, 30)) console.log(`PROBLEM ${p}`);
  console.log(problems.length ? `cluster: FAILED (${problems.length} problems)` : 'cluster: passed');
  return problems.length ? 1 : 0;
}
