import { parseRecord, type StoreRecord } from './store-record.js';

/**
 * Parses records while many stores are replayed at boot, remembering the put records of shared
 * namespaces by their text: two thousand hosts holding the same thousand constructs hold the same
 * thousand record lines, parsed once instead of two million times. Dropped once the stores are open.
 */
export class ReplayCache {
  private readonly records = new Map<string, StoreRecord>();

  constructor(private readonly shared: (ns: string) => boolean) {}

  parse(payload: string): StoreRecord[] {
    const records: StoreRecord[] = [];
    for (const line of payload.split('\n')) {
      let record = this.records.get(line);
      if (!record) {
        record = parseRecord(line);
        if (record.op === 'put' && this.shared(record.ns)) this.records.set(line, record);
      }
      records.push(record);
    }
    return records;
  }

  get size(): number {
    return this.records.size;
  }

  clear(): void {
    this.records.clear();
  }
}
