import type { TopologyChange, TopologySnapshot } from '../../src/topology/topology.js';
import { eventParser } from '../../src/topology/event-stream-parser.js';
import { authorization } from './session.js';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

export interface FeedHandlers {
  snapshot(s: TopologySnapshot): void;
  change(c: TopologyChange): void;
  status(s: FeedStatus): void;
  /** The token was refused (revoked, or the manager restarted with another one). */
  unauthorized(): void;
}

/**
 * Reads GET /topology/events with the token in the Authorization header (EventSource cannot send
 * one, and the token must not go in the URL); reconnects after a drop, each time from a new snapshot.
 */
export function openFeed(token: string, on: FeedHandlers): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let retryMs = 500;

  const connect = async (): Promise<void> => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch('/topology/events', { headers: { ...authorization(token), accept: 'text/event-stream' }, signal: controller.signal });
        if (res.status === 401) return on.unauthorized();
        if (!res.ok || !res.body) throw new Error(`the feed answered ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const push = eventParser((event, data) => {
          if (event === 'snapshot') {
            retryMs = 500;
            on.snapshot(JSON.parse(data) as TopologySnapshot);
            on.status('live');
          } else if (event === 'change') on.change(JSON.parse(data) as TopologyChange);
        });
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          push(value);
        }
      } catch {
        if (stopped) return;
      }
      on.status('reconnecting');
      await new Promise((r) => setTimeout(r, retryMs));
      retryMs = Math.min(retryMs * 2, 10_000);
    }
  };
  on.status('connecting');
  void connect();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
