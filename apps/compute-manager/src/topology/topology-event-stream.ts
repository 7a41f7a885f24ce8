import { mergeChanges, type TopologyChange } from './topology.js';
import type { TopologyFeed } from './topology.feed.js';

/** The parts of Express's request and response a stream uses. */
export interface StreamRequest {
  on(event: 'close', listener: () => void): unknown;
}
export interface StreamResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): unknown;
  flushHeaders?(): void;
}

const KEEPALIVE_MS = 15_000;

/** One event of the stream, as the `text/event-stream` format frames it. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * One watcher's stream: the snapshot, then the feed's changes. A watcher that reads slower than the
 * changes come (its socket's buffer is full) gets them merged into one when it has caught up,
 * rather than a growing queue.
 */
export class TopologyEventStream {
  private pending: TopologyChange | null = null;
  /** Until the snapshot is written, and while the socket's buffer is full: changes wait, merged. */
  private blocked = true;
  private closed = false;

  constructor(
    private readonly req: StreamRequest,
    private readonly res: StreamResponse,
  ) {}

  async run(feed: Pick<TopologyFeed, 'subscribe'>): Promise<void> {
    this.req.on('close', () => this.close());
    const { snapshot, unsubscribe } = await feed.subscribe((change) => this.send(change));
    if (this.closed) return unsubscribe();
    const keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    this.onClose = () => {
      clearInterval(keepalive);
      unsubscribe();
    };
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    this.blocked = false;
    this.write(sseEvent('snapshot', snapshot));
    this.flushPending();
  }

  private onClose: () => void = () => {};

  private send(change: TopologyChange): void {
    if (this.closed) return;
    if (this.blocked) {
      this.pending = this.pending ? mergeChanges(this.pending, change) : change;
      return;
    }
    this.write(sseEvent('change', change));
  }

  private write(chunk: string): void {
    if (this.closed || this.res.write(chunk)) return;
    this.blocked = true;
    this.res.once('drain', () => {
      this.blocked = false;
      this.flushPending();
    });
  }

  private flushPending(): void {
    if (this.blocked) return;
    const pending = this.pending;
    this.pending = null;
    if (pending) this.send(pending);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.res.end();
  }
}
