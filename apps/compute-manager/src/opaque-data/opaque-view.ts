import { effectiveOpaque, type OpaqueEntityRef, RawJson } from '@vnet/contracts';
import type { OpaqueRow } from './opaque-entries.table.js';

/** One entry of `GET /opaque-data/...`; `value` is spliced in as the raw JSON text it was sent as. */
export interface OpaqueEntryAnswer {
  namespace: string;
  key: string;
  value: RawJson;
  inheritedFrom?: OpaqueEntityRef;
  source?: string;
}

const same = (a: OpaqueEntityRef, b: OpaqueEntityRef) => a.type === b.type && a.id === b.id;

/**
 * An entity's answer from the rows of its chain (`chain` ends with the entity): its effective
 * extension data (own and inherited), then what host modules sent up about the entity itself, with
 * `source: "host:<id>"`; only `namespace`'s when given. Pure.
 */
export function opaqueAnswer(chain: readonly OpaqueEntityRef[], rows: readonly OpaqueRow[], namespace?: string): OpaqueEntryAnswer[] {
  const entity = chain[chain.length - 1];
  const levels = chain.map((level) => ({ entity: level, entries: rows.filter((r) => r.source === '' && same(r.entity, level)) }));
  const effective: OpaqueEntryAnswer[] = effectiveOpaque(levels).map(({ namespace: ns, key, valueJson, inheritedFrom }) => ({
    namespace: ns,
    key,
    value: new RawJson(valueJson),
    ...(inheritedFrom ? { inheritedFrom } : {}),
  }));
  const modules: OpaqueEntryAnswer[] = rows
    .filter((r) => r.source !== '' && same(r.entity, entity))
    .map((r) => ({ namespace: r.namespace, key: r.key, value: new RawJson(r.valueJson), source: `host:${r.source}` }));
  return [...effective, ...modules].filter((e) => namespace === undefined || e.namespace === namespace);
}
