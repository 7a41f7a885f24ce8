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
      const sw = value as RunningSwitch;
      let groups = encoded.get(sw.portGroups);
      if (groups === undefined) encoded.set(sw.portGroups, (groups = JSON.stringify(sw.portGroups)));
      const json =
        `{"id":${JSON.stringify(sw.id)},"name":${JSON.stringify(sw.name)},"revision":${sw.revision},"mtu":${sw.mtu},` +
        `"rollbackTimeoutMs":${sw.rollbackTimeoutMs},"portGroups":${groups},"groupsAppliedAt":${JSON.stringify(sw.groupsAppliedAt)}}`;
      return encodePut(ns, key, json);
    },
    revive: (ns, key, value) => inner.revive(ns, key, value),
  };
}
