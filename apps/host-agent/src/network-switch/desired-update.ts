import { CORRELATION_ID_PATTERN, type LogicalNetworkConstruct } from '@vnet/contracts';

/**
 * What a host receives from the network manager's desired state, once parsed and checked:
 * its transport zones, a network's construct, or a network gone from a zone.
 */
export type DesiredUpdate =
  | { kind: 'zones'; zoneIds: string[] }
  /** `correlationId`: of the change that made the construct's revision; its report carries it on. */
  | { kind: 'network'; construct: LogicalNetworkConstruct; correlationId?: string }
  | { kind: 'network-removed'; zoneId: string; networkId: string };

/** A desired-state value that fails its schema: rejected and logged, never half-applied. */
export class InvalidDesiredStateError extends Error {
  readonly code = 'INVALID_DESIRED_STATE';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`desired state ${key}: ${reason}`);
    this.name = 'InvalidDesiredStateError';
  }
}

export type KvOperation = 'PUT' | 'DEL' | 'PURGE';

// Ids end up in KV keys and watch filters: no dots, no wildcards. Networks and zones are UUIDs,
// which is also what the managers validate reports against.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isInt = (v: unknown, min: number, max: number): v is number =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** A `vnet-logical-networks` entry: key `<zoneId>.<networkId>`. */
export function parseNetworkEntry(key: string, operation: KvOperation, value: () => unknown): DesiredUpdate {
  const dot = key.indexOf('.');
  const zoneId = key.slice(0, dot);
  const networkId = key.slice(dot + 1);
  if (dot < 0 || !UUID.test(zoneId) || !UUID.test(networkId))
    throw new InvalidDesiredStateError(key, 'key is not <zoneId>.<networkId>');
  if (operation !== 'PUT') return { kind: 'network-removed', zoneId, networkId };
  const v = readJson(key, value);
  const construct = parseConstruct(key, v, zoneId, networkId);
  const correlationId = (v as { correlationId?: unknown }).correlationId;
  // A malformed correlation id is not a reason to refuse the construct: it is only left out.
  const traced = typeof correlationId === 'string' && CORRELATION_ID_PATTERN.test(correlationId);
  return { kind: 'network', construct, ...(traced ? { correlationId } : {}) };
}

/** A `vnet-transport-nodes` entry: key `<hostId>`; deleted means no zones. */
export function parseTransportNodeEntry(hostId: string, operation: KvOperation, value: () => unknown): DesiredUpdate {
  if (operation !== 'PUT') return { kind: 'zones', zoneIds: [] };
  const v = readJson(hostId, value) as { hostId?: unknown; transportZoneIds?: unknown };
  if (!v || typeof v !== 'object') throw new InvalidDesiredStateError(hostId, 'not an object');
  if (v.hostId !== hostId)
    throw new InvalidDesiredStateError(hostId, `hostId ${JSON.stringify(v.hostId)} does not match its key`);
  const zones = v.transportZoneIds;
  if (!Array.isArray(zones) || !zones.every((z) => typeof z === 'string' && UUID.test(z))) {
    throw new InvalidDesiredStateError(hostId, 'transportZoneIds must be an array of UUIDs');
  }
  return { kind: 'zones', zoneIds: [...new Set(zones as string[])] };
}

function parseConstruct(key: string, v: unknown, zoneId: string, networkId: string): LogicalNetworkConstruct {
  const c = v as Record<string, unknown>;
  if (!c || typeof c !== 'object') throw new InvalidDesiredStateError(key, 'not an object');
  const wrong = (field: string, why: string) => new InvalidDesiredStateError(key, `${field} ${why}`);
  if (c.id !== networkId) throw wrong('id', 'does not match its key');
  if (c.transportZoneId !== zoneId) throw wrong('transportZoneId', 'does not match its key');
  if (typeof c.name !== 'string') throw wrong('name', 'must be a string');
  if (!isInt(c.vni, 1, 16777215)) throw wrong('vni', 'must be an integer from 1 to 16777215');
  if (!isInt(c.mtu, 576, 9216)) throw wrong('mtu', 'must be an integer from 576 to 9216');
  if (!isInt(c.revision, 1, Number.MAX_SAFE_INTEGER)) throw wrong('revision', 'must be a positive integer');
  if (c.owner !== 'network-manager') throw wrong('owner', 'must be network-manager');
  return {
    id: networkId,
    name: c.name,
    vni: c.vni,
    mtu: c.mtu,
    transportZoneId: zoneId,
    revision: c.revision,
    owner: 'network-manager',
  };
}

function readJson(key: string, value: () => unknown): unknown {
  try {
    return value();
  } catch {
    throw new InvalidDesiredStateError(key, 'not JSON');
  }
}
