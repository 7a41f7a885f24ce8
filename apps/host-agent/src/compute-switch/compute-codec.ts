import type { PortGroupConfig } from '@vnet/contracts';
import { encodePut } from '../store/store-record.js';
import type { ValueCodec } from '../store/store-state.js';
import type { RunningPort, RunningSwitch } from './compute-state.js';
import { COMPUTE_NS } from './host-compute.js';

const isSwitchKey = (key: string): boolean => key.startsWith('switch:') || key.startsWith('saved:');

/**
 * Wraps a store codec so that a running switch's port groups, the same array for every member host
 * of a revision, are turned into JSON once per revision rather than once per host (a push to 2,000
 * hosts encodes them once). Process-wide: the array is the one parsed desired state all hosts share.
 */
const encoded = new WeakMap<readonly PortGroupConfig[], string>();
/**
 * A host's ports, encoded when its running switch is written: the same array is written again as the
 * saved (pre-change) config by the next change, and is not encoded a second time (running switches
 * are replaced, never changed in place).
 */
const encodedPorts = new WeakMap<readonly RunningPort[], string>();

export function computeCodec(inner: ValueCodec): ValueCodec {
  return {
    encodePut(ns, key, value) {
      if (ns !== COMPUTE_NS || !isSwitchKey(key) || !value) return inner.encodePut(ns, key, value);
      const sw = value as RunningSwitch;
      let groups = encoded.get(sw.portGroups);
      if (groups === undefined) encoded.set(sw.portGroups, (groups = JSON.stringify(sw.portGroups)));
      let ports = encodedPorts.get(sw.ports);
      if (ports === undefined) encodedPorts.set(sw.ports, (ports = JSON.stringify(sw.ports)));
      const json =
        `{"id":${JSON.stringify(sw.id)},"name":${JSON.stringify(sw.name)},"revision":${sw.revision},"mtu":${sw.mtu},` +
        `"rollbackTimeoutMs":${sw.rollbackTimeoutMs},"portGroups":${groups},"ports":${ports}}`;
      return encodePut(ns, key, json);
    },
    revive: (ns, key, value) => inner.revive(ns, key, value),
  };
}
