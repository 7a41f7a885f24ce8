import { UsageError } from './errors.js';
import type { Query } from './http-client.js';

// From options as commander hands them over (strings) to request bodies and queries. Ranges the
// services check themselves are left to them (their 400 names the field); what is checked here is
// what a string must be to be sent at all.

export function integer(option: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${option} must be an integer, not "${text}"`);
  return Number(text);
}

export const optionalInteger = (option: string, text: string | undefined) =>
  text === undefined ? undefined : integer(option, text);

/** `host-1,host-2` (or several options) as a list; blanks dropped. */
export function list(values: string | string[] | undefined): string[] {
  const all = Array.isArray(values) ? values : values === undefined ? [] : [values];
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** The uplink's allowed VLANs: `all` is the empty list (every VLAN passes), else `0,100,200`. */
export function allowedVlans(text: string): number[] {
  if (text.trim().toLowerCase() === 'all') return [];
  const vlans = list(text);
  if (!vlans.length) throw new UsageError('give the allowed VLANs as a list (0,100) or "all"');
  return vlans.map((v) => integer('a VLAN id', v));
}

/** A JSON value given on the command line, kept as its text (opaque data passes through unread). */
export function jsonText(option: string, text: string): string {
  try {
    JSON.parse(text);
  } catch {
    throw new UsageError(`${option} must be JSON (a string needs its quotes: '"text"'), not ${text}`);
  }
  return text.trim();
}

export function jsonObject(option: string, text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(jsonText(option, text));
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${option} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** `If-Match` for an optimistic write. */
export function ifMatch(revision: string | undefined): Record<string, string> {
  return revision === undefined ? {} : { 'if-match': String(integer('--if-match', revision)) };
}

export interface PortGroupOptions {
  vlan?: string;
  management?: boolean;
  policy?: string;
}

export function newPortGroupBody(name: string, o: PortGroupOptions): Record<string, unknown> {
  if (o.vlan === undefined) throw new UsageError('--vlan is required');
  return {
    name,
    vlanId: integer('--vlan', o.vlan),
    ...(o.management ? { management: true } : {}),
    ...(o.policy !== undefined ? { policy: jsonObject('--policy', o.policy) } : {}),
  };
}

export function portGroupChange(o: PortGroupOptions): Record<string, unknown> {
  const body = {
    ...(o.vlan !== undefined ? { vlanId: integer('--vlan', o.vlan) } : {}),
    ...(o.policy !== undefined ? { policy: jsonObject('--policy', o.policy) } : {}),
  };
  if (!Object.keys(body).length) throw new UsageError('give --vlan or --policy (or both)');
  return body;
}

export function networkChange(o: { name?: string; mtu?: string }): Record<string, unknown> {
  const body = {
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.mtu !== undefined ? { mtu: integer('--mtu', o.mtu) } : {}),
  };
  if (!Object.keys(body).length) throw new UsageError('give --name or --mtu (or both)');
  return body;
}

/** A NIC is attached to exactly one of a logical network and a port group. */
export function nicBody(o: { network?: string; portGroup?: string }): Record<string, string> {
  if ((o.network === undefined) === (o.portGroup === undefined))
    throw new UsageError('give exactly one of --network and --port-group');
  return o.network !== undefined ? { logicalNetworkId: o.network } : { portGroupId: o.portGroup! };
}

export interface RestoreOptions {
  mode?: string;
  name?: string;
  hosts?: string | string[];
  switch?: string;
}

/** `POST /snapshots/:id/restore`'s target from `--mode same|new|existing` and the options each mode takes. */
export function restoreTarget(o: RestoreOptions): Record<string, unknown> {
  const mode = o.mode ?? 'same';
  const hostIds = o.hosts === undefined ? undefined : list(o.hosts);
  const refuse = (option: string) => {
    throw new UsageError(`${option} does not go with --mode ${mode}`);
  };
  switch (mode) {
    case 'same':
      if (o.name !== undefined) refuse('--name');
      if (hostIds) refuse('--hosts');
      if (o.switch !== undefined) refuse('--switch');
      return { mode };
    case 'new':
      if (o.name === undefined) throw new UsageError('--mode new needs --name');
      if (o.switch !== undefined) refuse('--switch');
      return { mode, name: o.name, ...(hostIds ? { hostIds } : {}) };
    case 'existing':
      if (o.switch === undefined) throw new UsageError('--mode existing needs --switch');
      if (o.name !== undefined) refuse('--name');
      if (hostIds) refuse('--hosts');
      return { mode, switchId: o.switch };
    default:
      throw new UsageError(`--mode must be same, new or existing, not "${mode}"`);
  }
}

export interface EventFilterOptions {
  after?: string;
  limit?: string;
  streamId?: string;
  type?: string;
  correlationId?: string;
  actor?: string;
  from?: string;
  to?: string;
}

/** `GET /events`'s query; the service checks the values (its 400 names a bad one). */
export function eventsQuery(o: EventFilterOptions): Query {
  return {
    after: o.after,
    limit: o.limit,
    streamId: o.streamId,
    type: o.type,
    correlationId: o.correlationId,
    actor: o.actor,
    from: o.from,
    to: o.to,
  };
}

/** `host:host-1` (an entity of opaque data a host module sends up). */
export function entityRef(text: string): { type: string; id: string } {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) throw new UsageError(`--entity must be <type>:<id> (such as host:host-1), not "${text}"`);
  return { type: text.slice(0, i), id: text.slice(i + 1) };
}

/** `{entity, key, value}` as JSON text, the value passed through as given. */
export function moduleDataBody(entity: string, key: string, value: string): string {
  return `{"entity":${JSON.stringify(entityRef(entity))},"key":${JSON.stringify(key)},"value":${jsonText('--value', value)}}`;
}

/** `{value}` as JSON text, the value passed through as given. */
export const opaqueValueBody = (value: string) => `{"value":${jsonText('the value', value)}}`;

/** Which manager's log: `network` or `compute` (the full service names as well). */
export function managerOf(text: string): 'network-manager' | 'compute-manager' {
  const t = text.trim().toLowerCase();
  if (t === 'network' || t === 'network-manager' || t === 'nm') return 'network-manager';
  if (t === 'compute' || t === 'compute-manager' || t === 'cm') return 'compute-manager';
  throw new UsageError(`--service must be network or compute, not "${text}"`);
}

/** Ids go into paths: one segment each, whatever they hold. */
export const seg = (id: string) => encodeURIComponent(id);
