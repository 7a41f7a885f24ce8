import type { PortGroupConfig } from '@vnet/contracts';
import { encodePut } from '../store/store-record.js';
import type { ValueCodec } from '../store/store-state.js';
import type { RunningPort, RunningSwitch } from './compute-state.js';
import { COMPUTE_NS, PORTS_KEY, SAVED_KEY, SAVED_PORTS_KEY, SWITCH_KEY } from './running-config.store.js';

const isConfigKey = (key: string): boolean => key.startsWith(SWITCH_KEY) || key.startsWith(SAVED_KEY);
const isPortsKey = (key: string): boolean => key.startsWith(PORTS_KEY) || key.startsWith(SAVED_PORTS_KEY);

/**
 * Wraps a store codec so that a running switch's port groups, the same array for every member host
 * of a revision, are turned into JSON once per revision rather than once per host (a push to 2,000
 * hosts encodes them once). Process-wide: the array is the one parsed desired state all hosts share.
 */
const encoded = new WeakMap<readonly PortGroupConfig[], string>();
/**
 * A host's ports, encoded when first written: the same array is written again as the saved
 * (pre-change) ports by the next change that changes them, and is not encoded a second time (port
 * arrays are replaced, never changed in place).
 */
const encodedPorts = new WeakMap<readonly RunningPort[], string>();

/** A config record already encoded, and what it was encoded from. */
interface EncodedConfig {
  key: string;
  id: string;
  name: string;
  revision: number;
  mtu: number;
  rollbackTimeoutMs: number;
  groupsAppliedAt: Readonly<Record<string, number>>;
  bytes: Uint8Array;
}

/**
 * Config records by the port groups they carry. Every member host applying a revision writes the
 * same config (`switch:`) and saves the same previous one (`saved:`): the record is encoded once and
 * its bytes shared by every host's frame, rather than 2,000 times per push. A handful per array
 * (the keys, and hosts whose port groups last changed at different revisions).
 */
const configRecords = new WeakMap<readonly PortGroupConfig[], EncodedConfig[]>();
const CONFIG_RECORDS_PER_GROUPS = 8;

function configRecord(key: string, sw: RunningSwitch): Uint8Array {
  let records = configRecords.get(sw.portGroups);
  if (!records) configRecords.set(sw.portGroups, (records = []));
  for (const r of records) {
    if (
      r.key === key &&
      r.revision === sw.revision &&
      r.id === sw.id &&
      r.name === sw.name &&
      r.mtu === sw.mtu &&
      r.rollbackTimeoutMs === sw.rollbackTimeoutMs &&
      sameAppliedAt(r.groupsAppliedAt, sw.groupsAppliedAt)
    )
      return r.bytes;
  }
  let groups = encoded.get(sw.portGroups);
  if (groups === undefined) encoded.set(sw.portGroups, (groups = JSON.stringify(sw.portGroups)));
  const json =
    `{"id":${JSON.stringify(sw.id)},"name":${JSON.stringify(sw.name)},"revision":${sw.revision},"mtu":${sw.mtu},` +
    `"rollbackTimeoutMs":${sw.rollbackTimeoutMs},"portGroups":${groups},"groupsAppliedAt":${JSON.stringify(sw.groupsAppliedAt)}}`;
  const bytes = Buffer.from(encodePut(COMPUTE_NS, key, json), 'utf8');
  if (records.length >= CONFIG_RECORDS_PER_GROUPS) records.shift();
  records.push({ key, id: sw.id, name: sw.name, revision: sw.revision, mtu: sw.mtu, rollbackTimeoutMs: sw.rollbackTimeoutMs, groupsAppliedAt: sw.groupsAppliedAt, bytes });
  return bytes;
}

/** Same keys, same revisions, in the same order (the order they are written in). */
function sameAppliedAt(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || a[ka[i]] !== b[ka[i]]) return false;
  return true;
}

/**
 * A switch's config is written without its ports (they have a key of their own, written only when
 * they change): a push that changes a port group writes a few hundred bytes per host.
 */
export function computeCodec(inner: ValueCodec): ValueCodec {
  return {
    encodePut(ns, key, value) {
      if (ns !== COMPUTE_NS || !value) return inner.encodePut(ns, key, value);
      if (isPortsKey(key)) {
        const ports = value as readonly RunningPort[];
        let json = encodedPorts.get(ports);
        if (json === undefined) encodedPorts.set(ports, (json = JSON.stringify(ports)));
        return encodePut(ns, key, json);
      }
      if (!isConfigKey(key)) return inner.encodePut(ns, key, value);
      return configRecord(key, value as RunningSwitch);
    },
    revive: (ns, key, value) => inner.revive(ns, key, value),
  };
}
