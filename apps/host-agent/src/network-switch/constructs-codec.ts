import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { JOURNAL_NS, type StoredJournalEntry } from '../audit/host-journal.js';
import { encodePut } from '../store/store-record.js';
import { JSON_CODEC, type ValueCodec } from '../store/store-state.js';
import type { ConstructAppliedData, ConstructCatalog } from './construct-catalog.js';
import { CONSTRUCTS_NS } from './network-switch.js';

const isConstructApplied = (value: unknown): value is StoredJournalEntry & { data: ConstructAppliedData } =>
  (value as StoredJournalEntry | undefined)?.type === 'ConstructApplied';

/**
 * A host store's codec: constructs are written as the catalog's shared record bytes and read back
 * as the catalog's shared objects; the journal's entries of taking a construct share the catalog's
 * data and its JSON the same way; everything else is plain JSON.
 */
export function constructsCodec(catalog: ConstructCatalog): ValueCodec {
  return {
    encodePut(ns, key, value) {
      if (ns === JOURNAL_NS && isConstructApplied(value)) {
        const data = catalog.encodedAppliedData(value.data);
        // The same text JSON.stringify gives the entry, with the data's JSON made once for every host.
        if (data !== undefined)
          return encodePut(ns, key, `{"type":"ConstructApplied","data":${data},"at":${JSON.stringify(value.at)}}`);
      }
      if (ns !== CONSTRUCTS_NS) return JSON_CODEC.encodePut(ns, key, value);
      const c = value as LogicalNetworkConstruct;
      const encodings = catalog.encodings(c);
      return (encodings.storeRecord ??= Buffer.from(encodePut(CONSTRUCTS_NS, c.id, encodings.json), 'utf8'));
    },
    revive(ns, key, value) {
      if (ns === CONSTRUCTS_NS) return catalog.intern(value as LogicalNetworkConstruct);
      if (ns === JOURNAL_NS && isConstructApplied(value)) return { ...value, data: catalog.reviveAppliedData(value.data) };
      return value;
    },
  };
}
