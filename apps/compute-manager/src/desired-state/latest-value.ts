/** A value with the revision that orders it. */
export interface Revisioned {
  revision: number;
  json: string;
}

/**
 * Keeps a bucket's value of each key at the latest revision. The fast path (right after a commit)
 * and the log's path (after a crash in between) publish the same keys concurrently: puts of one key
 * run one at a time, each reads its value inside its turn, and a value not newer than the one already
 * put is not put again, so a slower, older read never overwrites a newer value. Pure but for the
 * functions it is given.
 */
export class LatestValue {
  private readonly published = new Map<string, number>();
  private readonly turns = new Map<string, Promise<unknown>>();
  /** Bumped by `forget`: what a turn begun before it learnt of the lost bucket is not kept. */
  private generation = 0;

  constructor(
    private readonly put: (key: string, json: string) => Promise<unknown>,
    /** The revision the bucket holds, read once per key (after a restart, it may be ahead of the reads). */
    private readonly stored: (key: string) => Promise<number | undefined>,
  ) {}

  /** The bucket was lost: what was put is known no more, so the next publish of every key puts it. */
  forget(): void {
    this.published.clear();
    this.generation += 1;
  }

  /**
   * Puts what `read` returns unless the bucket has that revision or a later one; answers the revision.
   * With `revision` (a cheap read of the current revision, inside the turn), a key already put at
   * that revision is not read at all: the log's path, replaying every change the fast path already
   * published, costs one small read per event instead of the value's.
   */
  publish(key: string, read: () => Promise<Revisioned | null>, revision?: () => Promise<number | null>): Promise<number | null> {
    const previous = this.turns.get(key) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(() => this.once(key, read, revision));
    this.turns.set(key, turn);
    const forget = () => {
      if (this.turns.get(key) === turn) this.turns.delete(key);
    };
    turn.then(forget, forget);
    return turn;
  }

  private async once(
    key: string,
    read: () => Promise<Revisioned | null>,
    revision?: () => Promise<number | null>,
  ): Promise<number | null> {
    const generation = this.generation;
    const remember = (revision: number) => {
      if (generation === this.generation) this.published.set(key, revision);
    };
    const put = this.published.get(key);
    if (revision && put !== undefined) {
      const current = await revision();
      if (current !== null && put >= current) return current;
    }
    const value = await read();
    if (!value) return null;
    let known = this.published.get(key);
    if (known === undefined) {
      known = (await this.stored(key)) ?? -1;
      remember(known);
    }
    if (known >= value.revision) return value.revision;
    await this.put(key, value.json);
    remember(value.revision);
    return value.revision;
  }
}
