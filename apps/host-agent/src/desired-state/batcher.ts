/**
 * Reads asked for while none has started yet are done together, in one batch; a batch starts only
 * after everyone in it asked (so each gets a value read after its request) and one batch runs at a
 * time. Two thousand hosts rejoining at once cost one read, not two thousand.
 */
export class Batcher<K, V> {
  private queued: { keys: Set<K>; promise: Promise<Map<K, V>> } | null = null;
  private running: Promise<unknown> | null = null;
  private startQueued: (() => void) | null = null;

  constructor(private readonly load: (keys: K[]) => Promise<Map<K, V>>) {}

  async get(key: K): Promise<V> {
    const batch = this.queue();
    batch.keys.add(key);
    const values = await batch.promise;
    if (!values.has(key)) throw new Error(`batch read returned nothing for ${String(key)}`);
    return values.get(key) as V;
  }

  private queue(): { keys: Set<K>; promise: Promise<Map<K, V>> } {
    if (this.queued) return this.queued;
    const keys = new Set<K>();
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const promise = started.then(() => this.load([...keys]));
    const batch = { keys, promise };
    this.queued = batch;
    this.startQueued = () => {
      if (this.queued !== batch) return;
      this.queued = null;
      this.startQueued = null;
      this.running = promise
        .catch(() => undefined)
        .then(() => {
          this.running = null;
          if (this.queued) this.schedule();
        });
      start();
    };
    this.schedule();
    return batch;
  }

  private schedule(): void {
    if (this.running || !this.startQueued) return;
    // Everyone asking in this turn of the event loop joins.
    const run = this.startQueued;
    setImmediate(run);
  }
}
