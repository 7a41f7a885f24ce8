/** A snapshot that does not read back whole: written by something else, or damaged. Never guessed at. */
export class StoreCorruptError extends Error {
  readonly code = 'STORE_CORRUPT';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`host store file ${path} is unreadable: ${reason}`);
    this.name = 'StoreCorruptError';
  }
}

export const isStoreCorrupt = (err: unknown): err is StoreCorruptError => err instanceof StoreCorruptError;
