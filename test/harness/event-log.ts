import type { api } from './stack.js';

type Client = ReturnType<typeof api>;

export interface LoggedEvent {
  position: number;
  streamId: string;
  type: string;
  version: number;
  data: any;
  metadata: { correlationId: string; causationId: string | null; actor: string };
  recordedAt: string;
}

/** Every event of a service's `/events` after `after` that matches `query`, following `next` page by page. */
export async function readLog(client: Client, query = '', { after = 0, pageSize = 1000 } = {}): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  for (;;) {
    const res = await client.get(`/events?limit=${pageSize}&after=${after}${query ? `&${query}` : ''}`);
    if (res.status !== 200) throw new Error(`GET /events answered ${res.status}: ${JSON.stringify(res.body)}`);
    events.push(...res.body.events);
    if (res.body.next === null) return events;
    after = res.body.next;
  }
}

/** The position of the last event recorded so far (0 for an empty log). */
export async function lastPosition(client: Client, query = ''): Promise<number> {
  return (await readLog(client, query)).at(-1)?.position ?? 0;
}

/** What was recorded after `position` (optionally matching `query`). */
export async function recordedAfter(client: Client, position: number, query = ''): Promise<LoggedEvent[]> {
  return readLog(client, query, { after: position });
}
