// What a manager's log holds against what its JetStream stream holds (the chaos scenarios' audit;
// test/harness/bus-audit.ts is the same for the e2e tests).
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';

/** The ids of every event in a manager's log, in order (`GET /events`). */
export async function logEventIds(base, token) {
  const ids = [];
  let after = 0;
  for (;;) {
    const res = await fetch(`${base}/events?limit=1000&after=${after}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`GET /events answered ${res.status}`);
    const page = await res.json();
    ids.push(...page.events.map((e) => e.id));
    if (page.next === null) return ids;
    after = page.next;
  }
}

/** The `Nats-Msg-Id` of every message in a stream, read with a throw-away consumer. */
export async function streamMsgIds(nc, stream) {
  const jsm = await jetstreamManager(nc, { timeout: 10000 });
  const total = (await jsm.streams.info(stream)).state.messages;
  const name = `audit-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await jsm.consumers.add(stream, { name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
  try {
    const consumer = await jetstream(nc).consumers.get(stream, name);
    const ids = [];
    while (ids.length < total) {
      for await (const m of await consumer.fetch({ max_messages: 1000, expires: 2000 }))
        ids.push(m.headers?.get('Nats-Msg-Id') ?? '');
    }
    return ids;
  } finally {
    await jsm.consumers.delete(stream, name).catch(() => {});
  }
}

/** What the log holds that the stream lacks, and what the stream holds twice. */
export function compareLogAndStream(log, stream) {
  const seen = new Map();
  for (const id of stream) seen.set(id, (seen.get(id) ?? 0) + 1);
  return { lost: log.filter((id) => !seen.has(id)), duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id) };
}
