/** One item's outcome in a batch: its answer, or the error that refused it alone. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface BatcherOptions {
  /** Items in one batch at most. */
  maxBatch: number;
  /** Batches under way at once at most; the items that arrive meanwhile wait for the next one. */
  maxInFlight: number;
}

/**
 * Runs what arrives together as one batch: an item submitted while no batch can start waits, and
 * the next batch takes every item that waits (up to `maxBatch`), in arrival order. A lone item is
 * never held back: with a batch free it starts at once. `run` answers each item's outcome in the
 * order given; should it throw, every item of that batch fails with its error. Pure but for `run`.
 */
export class Batcher<I, O> {
  private readonly waiting: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<Settled<O>>>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight >= this.options.maxInFlight || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.options.maxBatch);
    this.inFlight += 1;
    const settle = (outcomes: Array<Settled<O>>) => {
      batch.forEach((entry, i) => {
        const outcome = outcomes[i];
        if (!outcome) entry.reject(new Error('the batch answered no outcome for an item'));
        else if (outcome.ok) entry.resolve(outcome.value);
        else entry.reject(outcome.error);
      });
    };
    let outcomes: Promise<Array<Settled<O>>>;
    try {
      outcomes = this.run(batch.map((b) => b.item));
    } catch (err) {
      outcomes = Promise.reject(err);
    }
    outcomes
      .then(settle, (err: unknown) => batch.forEach((entry) => entry.reject(err)))
      .finally(() => {
        this.inFlight -= 1;
        this.next();
      });
    this.next();
  }
}
