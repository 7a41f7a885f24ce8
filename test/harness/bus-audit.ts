import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { api } from './stack.js';

/** The ids of every event in a manager's log, in order (`GET /events`). */
export async function logEventIds(baseUrl: string): Promise<string[]> {
  const admin = api(baseUrl);
  const ids: string[] = [];
  let after = 0;
  for (;;) {
    const page = (await admin.get(`/events?limit=1000&after=${after}`)).body;
    ids.push(...page.events.map((e: { id: string }) => e.id));
    if (page.next === null) return ids;
    after = page.next;
  }
}

/** The `Nats-Msg-Id` of every message in a stream, read with a throw-away consumer. */
export async function streamMsgIds(nc: NatsConnection, stream: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const name = `audit-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await jsm.consumers.add(stream, { name, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
  const consumer = await jetstream(nc).consumers.get(stream, name);
  const ids: string[] = [];
  while (ids.length < total) {
    for await (const m of await consumer.fetch({ max_messages: 1000, expires: 2000 }))
      ids.push(m.headers?.get('Nats-Msg-Id') ?? '');
  }
  await jsm.consumers.delete(stream, name);
  return ids;
}

/** What the log holds that the stream lacks, and what the stream holds twice. */
export function compareLogAndStream(log: string[], stream: string[]): { lost: string[]; duplicated: string[] } {
  const seen = new Map<string, number>();
  for (const id of stream) seen.set(id, (seen.get(id) ?? 0) + 1);
  return { lost: log.filter((id) => !seen.has(id)), duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id) };
}
