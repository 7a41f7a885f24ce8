// The floors' host side, in a process of its own started as the host agent is (same libuv pool, same
// V8 options): what a push must do on the host agent's side, without its logic. Driven over IPC by
// bench/lib/floors.mjs; each floor answers the milliseconds it took.
import { join } from 'node:path';
import { connect, createInbox, headers } from '@nats-io/transport-node';
import { credsAuthenticator } from '@nats-io/transport-node';
import { natsOptions } from '../../scripts/lib/stack.mjs';
import { CORRELATION_ID_HEADER } from '../../libs/events/dist/transport/headers.js';
import { HostStore } from '../../apps/host-agent/dist/store/host-store.js';
import { defaultJournalLimit, OpenJournals } from '../../apps/host-agent/dist/store/open-journals.js';
import { StoreModule } from '../../apps/host-agent/dist/store/store.module.js';
import { encodePut } from '../../apps/host-agent/dist/store/store-record.js';

const send = (msg) => process.send(msg);
let ctx = null;

/**
 * The host agent's own group commit: the CommitScheduler its StoreModule provides, built by the
 * module's own factory (same window, same concurrency).
 */
function hostAgentCommits() {
  const providers = Reflect.getMetadata('providers', StoreModule);
  return providers[0].useFactory();
}

/** Each value encoded once for every store that writes it, as the host agent's codecs do for shared values. */
const encoded = new WeakMap();
const sharedCodec = {
  encodePut(ns, key, value) {
    if (value === null || typeof value !== 'object') return encodePut(ns, key, JSON.stringify(value));
    let json = encoded.get(value);
    if (json === undefined) encoded.set(value, (json = JSON.stringify(value)));
    return encodePut(ns, key, json);
  },
  revive: (_ns, _key, value) => value,
};

async function init({ server, floorCreds, floorInbox, dir, hostIds }) {
  const commits = hostAgentCommits();
  const openJournals = new OpenJournals(defaultJournalLimit());
  const stores = [];
  for (let i = 0; i < hostIds.length; i += 64) {
    const opened = await Promise.all(
      hostIds.slice(i, i + 64).map(async (hostId) => {
        let target = null;
        const { store } = await HostStore.open(join(dir, hostId), {
          codec: sharedCodec,
          openJournals,
          onDirty: () => target && commits.markDirty(target),
        });
        // What Host.commit does with its store, without the reports.
        target = {
          commit: async () => {
            await store.flush();
            await store.compactIfNeeded().catch(() => undefined);
          },
        };
        return store;
      }),
    );
    stores.push(...opened);
  }

  // Transport: a user of the account with allow-lists, as each service is, its subscription under its
  // own inbox prefix. The bytes come in once, on one subscription, as the host agent's one watch of
  // the switches bucket receives a final state once for all its hosts; parsed once, the value goes to
  // one handler per host, each of which sends its small ack on its own subject. Not one subscription
  // per host: the server would write the value once per subscription (2,000 copies of a document
  // that lists 2,000 hosts, tens of MB), where ours has it written once; a floor that moves more
  // bytes than ours must is no floor.
  const floorNc = await connect({
    servers: server.url.split(','),
    authenticator: credsAuthenticator(new TextEncoder().encode(floorCreds)),
  });
  const ackSubjects = hostIds.map((h) => `floor.ack.${h}`);
  // What each host does with the value: the ack ours sends (HostApplyStatus, with its correlation
  // header when the change is traced), built and published per host.
  const handlers = hostIds.map((hostId, i) => (parsed) => {
    const ack = {
      hostId,
      kind: 'switch',
      targetId: parsed.id,
      revision: parsed.revision,
      state: 'applied',
      ...(parsed.correlationId ? { correlationId: parsed.correlationId } : {}),
      sentAt: new Date().toISOString(),
    };
    let options;
    if (parsed.correlationId) {
      const h = headers();
      h.set(CORRELATION_ID_HEADER, parsed.correlationId);
      options = { headers: h };
    }
    floorNc.publish(ackSubjects[i], JSON.stringify(ack), options);
  });
  floorNc.subscribe(`${floorInbox}.desired`, {
    callback: (err, msg) => {
      if (err) return;
      const parsed = JSON.parse(msg.string());
      for (const handle of handlers) handle(parsed);
    },
  });
  await floorNc.flush();

  // Round trips: the host agent's own user, its inbox prefix, one subscription for every reply.
  const nc = await connect(await natsOptions(server, 'host-agent'));
  const inbox = createInbox(`_INBOX_host-agent`);
  let waiting = null;
  nc.subscribe(`${inbox}.>`, {
    callback: (err, msg) => {
      if (err || !waiting) return;
      let ok = false;
      try {
        ok = msg.json()?.ok === true;
      } catch {
        /* not a reply */
      }
      if (ok && --waiting.left === 0) waiting.done();
    },
  });
  await nc.flush();
  ctx = { stores, hostIds, floorNc, nc, inbox, setWaiting: (w) => (waiting = w) };
}

/** Every store writes `records` (`{ op, ns, key, value }`) in one batch; answers the ms until the last is durable. */
async function durable(records) {
  // A record the push deleted existed before it: so it does here, written beforehand (not timed).
  const absent = records.filter((r) => r.op === 'del' && !ctx.stores[0].has(r.ns, r.key));
  if (absent.length) {
    for (const store of ctx.stores) for (const r of absent) store.put(r.ns, r.key, 0);
    await Promise.all(ctx.stores.map((s) => s.whenDurable()));
  }
  const t0 = performance.now();
  for (const store of ctx.stores) {
    for (const r of records) {
      if (r.op === 'put') store.put(r.ns, r.key, r.value);
      else store.delete(r.ns, r.key);
    }
  }
  await Promise.all(ctx.stores.map((s) => s.whenDurable()));
  return performance.now() - t0;
}

/** One heartbeat per host, all sent in one go as the host agent sends a turn's round trips; the ms until every reply is in. */
async function roundTrips(bootId) {
  const { nc, inbox, hostIds } = ctx;
  const t0 = performance.now();
  const now = Date.now();
  const sentAt = new Date(now).toISOString();
  let timer;
  const all = new Promise((resolve, reject) => {
    ctx.setWaiting({ left: hostIds.length, done: resolve });
    timer = setTimeout(() => reject(new Error('round trips not all back within 30 s')), 30000);
  });
  for (const hostId of hostIds) {
    nc.publish(`cm.heartbeat.${hostId}`, JSON.stringify({ hostId, bootId, sentAt }), { reply: `${inbox}.${hostId}.0.${now}` });
  }
  try {
    await all;
  } finally {
    clearTimeout(timer);
    ctx.setWaiting(null);
  }
  return performance.now() - t0;
}

// The benchmark is gone: so is its host side.
process.on('disconnect', () => process.exit(0));

process.on('message', async (msg) => {
  try {
    if (msg.type === 'init') await init(msg);
    else if (msg.type === 'arm') await ctx.floorNc.flush();
    else if (msg.type === 'durable') return send({ id: msg.id, ms: await durable(msg.records) });
    else if (msg.type === 'round-trips') return send({ id: msg.id, ms: await roundTrips(msg.bootId) });
    else if (msg.type === 'stop') {
      await Promise.all([ctx?.floorNc.close(), ctx?.nc.close()]);
      await Promise.all((ctx?.stores ?? []).map((s) => s.close()));
      send({ id: msg.id });
      process.exit(0);
    }
    send({ id: msg.id });
  } catch (err) {
    send({ id: msg.id, error: String(err?.stack ?? err) });
  }
});
