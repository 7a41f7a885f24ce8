import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { encodePut } from '../store/store-record.js';
import { JSON_CODEC, type ValueCodec } from '../store/store-state.js';
import type { ConstructCatalog } from './construct-catalog.js';
import { CONSTRUCTS_NS } from './network-switch.js';

/**
 * A host store's codec: constructs are written as the catalog's shared record bytes and read back
 * as the catalog's shared objects; everything else is plain JSON.
 */
export function constructsCodec(catalog: ConstructCatalog): ValueCodec {
  return {
    encodePut(ns, key, value) {
      if (ns !== CONSTRUCTS_NS) return JSON_CODEC.encodePut(ns, key, value);
      const c = value as LogicalNetworkConstruct;
      const encodings = catalog.encodings(c);
      return (encodings.storeRecord ??= Buffer.from(encodePut(CONSTRUCTS_NS, c.id, encodings.json), 'utf8'));
    },
    revive: (ns, key, value) => (ns === CONSTRUCTS_NS ? catalog.intern(value as LogicalNetworkConstruct) : value),
  };
}
