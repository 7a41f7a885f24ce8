import { cell, type Column, details, section, table } from './format.js';

// The human views of the API's objects. The field names are CONTRACT.md's; a view shows what an
// operator looks for first and leaves the rest to --json.

type Row = Record<string, any>;
const col = (header: string, value: (row: Row) => unknown = (r) => r[header]): Column<Row> => ({ header, value });

export const zoneColumns = [col('id'), col('name')];
export const networkColumns = [
  col('id'),
  col('name'),
  col('vni'),
  col('mtu'),
  col('revision'),
  col('zone', (r) => r.transportZoneId),
  col('realizedOn', (r) => r.realizedOn),
  col('ports', (r) => r.ports?.length ?? 0),
];
export const learnedNetworkColumns = [col('id'), col('name'), col('vni'), col('mtu'), col('revision'), col('hosts')];
export const transportNodeColumns = [
  col('host', (r) => r.hostId),
  col('zones', (r) => r.transportZoneIds),
  col('networks', (r) => r.networks?.length ?? 0),
  col('realized', (r) => (r.networks ?? []).filter((n: Row) => n.realized).length),
];
export const computeHostColumns = [
  col('host', (r) => r.hostId),
  col('connection', (r) => r.connectionState),
  col('lastSeenAt'),
  col('networks', (r) => r.logicalNetworks?.length ?? 0),
];
export const agentHostColumns = [
  col('host', (r) => r.hostId),
  col('management', (r) => (r.managementConnected ? 'connected' : 'disconnected')),
  col('switches', (r) => r.computeSwitches?.length ?? 0),
  col('networks', (r) => r.networkSwitch?.logicalNetworks?.length ?? 0),
  col('uplink', (r) => uplinkText(r.uplink?.allowedVlans)),
  col('pendingRollback', (r) =>
    r.pendingRollback ? `switch ${r.pendingRollback.switchId} until ${r.pendingRollback.deadline}` : null,
  ),
];
export const switchColumns = [
  col('id'),
  col('name'),
  col('revision'),
  col('mtu'),
  col('hosts', (r) => r.hostIds),
  col('portGroups', (r) => r.portGroups?.length ?? 0),
];
export const portGroupColumns = [
  col('id'),
  col('name'),
  col('vlan', (r) => r.vlanId),
  col('management', (r) => (r.management ? 'yes' : 'no')),
  col('policy', (r) => policyText(r.policy)),
];
export const dcnColumns = [col('id'), col('name'), col('host', (r) => r.hostId), col('nics', (r) => r.nics?.length ?? 0)];
export const nicColumns = [col('id'), col('portId'), col('network', (r) => `${r.network?.kind} ${r.network?.id}`)];
export const snapshotColumns = [col('id'), col('switchId'), col('revision'), col('createdAt'), col('location')];
export const extensionColumns = [col('key'), col('namespaces')];
export const opaqueColumns = [
  col('namespace'),
  col('key'),
  col('value', (r) => JSON.stringify(r.value)),
  col('inheritedFrom', (r) => (r.inheritedFrom ? `${r.inheritedFrom.type} ${r.inheritedFrom.id}` : null)),
  col('source'),
];
export const moduleDataColumns = [
  col('entity', (r) => `${r.entity?.type} ${r.entity?.id}`),
  col('key'),
  col('value', (r) => JSON.stringify(r.value)),
  col('inheritedFrom', (r) => (r.inheritedFrom ? `${r.inheritedFrom.type} ${r.inheritedFrom.id}` : null)),
];
export const eventColumns = [
  col('position'),
  col('recordedAt'),
  col('type'),
  col('streamId'),
  col('actor', (r) => r.metadata?.actor),
  col('correlationId', (r) => r.metadata?.correlationId),
];
export const journalColumns = [col('position'), col('recordedAt'), col('type'), col('data', (r) => r.data)];
export const constructColumns = [
  col('id'),
  col('name'),
  col('vni'),
  col('mtu'),
  col('revision'),
  col('zone', (r) => r.transportZoneId),
];

export const uplinkText = (vlans: number[] | undefined) => (vlans === undefined ? null : vlans.length ? vlans.join(',') : 'all');

function policyText(policy: Row | undefined): string | null {
  if (!policy) return null;
  const parts: string[] = [];
  if (policy.security) {
    const on = Object.entries(policy.security)
      .filter(([, v]) => v)
      .map(([k]) => k);
    if (on.length) parts.push(`security: ${on.join('+')}`);
  }
  if (policy.teaming?.policy) parts.push(`teaming: ${policy.teaming.policy}`);
  if (policy.shaping?.enabled) parts.push(`shaping: ${policy.shaping.averageBandwidthKbps} kbps`);
  return parts.length ? parts.join('; ') : 'default';
}

export const listOf = (columns: Column<Row>[]) => (rows: Row[]) => (rows.length ? table(columns, rows) : '(none)');
export const one = (columns: Column<Row>[]) => (row: Row) => details(columns.map((c) => [c.header, c.value(row)]));

export function networkView(n: Row): string {
  const head = one(networkColumns.filter((c) => c.header !== 'ports'))(n);
  const ports = n.ports?.length
    ? table([col('host', (r) => r.hostId), col('portId'), col('dcn', (r) => r.dcnId)], n.ports)
    : '(none)';
  return `${head}\n${section('ports', ports)}`;
}

export function transportNodeView(t: Row): string {
  const head = details([
    ['host', t.hostId],
    ['zones', t.transportZoneIds],
  ]);
  const nets = t.networks?.length ? table([col('id'), col('revision'), col('realized')], t.networks) : '(none)';
  return `${head}\n${section('networks', nets)}`;
}

export function switchView(s: Row): string {
  const head = one(switchColumns.filter((c) => c.header !== 'portGroups'))({ ...s });
  const extra = details([['rollbackTimeoutMs', s.rollbackTimeoutMs]]);
  return `${head}\n${extra}\n${section('port groups', listOf(portGroupColumns)(s.portGroups ?? []))}`;
}

export function dcnView(d: Row): string {
  return `${one(dcnColumns.filter((c) => c.header !== 'nics'))(d)}\n${section('nics', listOf(nicColumns)(d.nics ?? []))}`;
}

export function snapshotView(s: Row): string {
  const head = one(snapshotColumns)(s);
  if (!s.switch) return head;
  return `${head}\n${details([
    ['switch', `${s.switch.name} (${s.switch.id}) revision ${s.switch.revision}`],
    ['hosts', s.switch.hostIds],
    ['mtu', s.switch.mtu],
  ])}\n${section('port groups', listOf(portGroupColumns)(s.switch.portGroups ?? []))}`;
}

/** The host agent's view of one host: both forwarding elements, the uplink and a pending rollback. */
export function agentHostView(h: Row): string {
  const head = one(agentHostColumns.filter((c) => !['switches', 'networks'].includes(c.header)))(h);
  const switches = (h.computeSwitches ?? []).map((s: Row) =>
    section(
      `compute switch ${s.id} revision ${s.revision}`,
      `${listOf(portGroupColumns)(s.portGroups ?? [])}\n${section(
        'ports',
        listOf([
          col('id'),
          col('portGroup', (r) => r.portGroupId),
          col('vlan', (r) => r.vlanId),
          col('connectee', (r) => connecteeText(r.connectee)),
          col('clonedFrom'),
          col('appliedAt', (r) => r.appliedAtRevision),
        ])(s.ports ?? []),
      )}`,
    ),
  );
  const ns = h.networkSwitch ?? {};
  const networkSwitch = section(
    'network switch',
    `${listOf(constructColumns)(ns.logicalNetworks ?? [])}\n${section(
      'ports',
      listOf([
        col('id'),
        col('network', (r) => r.logicalNetworkId),
        col('connectee', (r) => connecteeText(r.connectee)),
        col('appliedAt', (r) => r.appliedAtRevision),
      ])(ns.ports ?? []),
    )}`,
  );
  return [head, ...switches, networkSwitch].join('\n');
}

const connecteeText = (c: Row | undefined) => (!c ? null : c.type === 'dcn' ? `dcn ${c.dcnId} nic ${c.nicId}` : cell(c.type));

/** One host as all three services see it. */
export function hostEverywhereView(views: { compute?: Row | string; network?: Row | string; agent?: Row | string }): string {
  const part = (title: string, v: Row | string | undefined, render: (r: Row) => string) =>
    section(title, v === undefined ? '(not asked)' : typeof v === 'string' ? v : render(v));
  return [
    part('compute manager', views.compute, one(computeHostColumns)),
    part('network manager (transport node)', views.network, transportNodeView),
    part('host agent', views.agent, agentHostView),
  ].join('\n');
}
