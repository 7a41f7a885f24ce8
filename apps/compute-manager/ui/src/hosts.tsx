import { useMemo, useState } from 'preact/hooks';
import { ALL_HOSTS, filterHosts, type HostFilter, pageOf } from '../../src/topology/host-filter.js';
import type { Topology } from '../../src/topology/topology.js';
import { Pager } from './pager.js';

export const HOSTS_PER_PAGE = 50;

/** Hosts: searched, filtered, one page of rows at a time; one host's detail when selected. */
export function Hosts({
  topology,
  names,
  selected,
  onSelect,
}: {
  topology: Topology;
  names: ReadonlyMap<string, string>;
  selected: string | null;
  onSelect: (id: string | null) => void;
}) {
  const [filter, setFilter] = useState<HostFilter>(ALL_HOSTS);
  const [pageIndex, setPageIndex] = useState(0);
  const matching = useMemo(() => filterHosts(topology.hosts.values(), filter, names), [topology.hosts, filter, names]);
  const page = pageOf(matching, pageIndex, HOSTS_PER_PAGE);
  const update = (patch: Partial<HostFilter>) => {
    setFilter({ ...filter, ...patch });
    setPageIndex(0);
  };
  const host = selected ? topology.hosts.get(selected) : undefined;
  return (
    <section class="panel" data-testid="hosts">
      <h2>
        Hosts <small data-testid="hosts-matching">{matching.length === topology.hosts.size ? `${matching.length}` : `${matching.length} of ${topology.hosts.size}`}</small>
      </h2>
      <div class="filters">
        <input type="search" placeholder="search hosts, networks, switches" value={filter.query} onInput={(e) => update({ query: (e.target as HTMLInputElement).value })} data-testid="host-search" />
        <select value={filter.state} onChange={(e) => update({ state: (e.target as HTMLSelectElement).value as HostFilter['state'] })} data-testid="host-state">
          <option value="all">any state</option>
          <option value="connected">connected</option>
          <option value="disconnected">disconnected</option>
        </select>
        <select value={filter.switchId ?? ''} onChange={(e) => update({ switchId: (e.target as HTMLSelectElement).value || null })} data-testid="host-switch">
          <option value="">any switch</option>
          {[...topology.switches.values()].map((s) => (
            <option value={s.id}>{s.name}</option>
          ))}
        </select>
      </div>
      <table>
        <thead>
          <tr>
            <th>host</th>
            <th>state</th>
            <th>switches</th>
            <th>logical networks</th>
          </tr>
        </thead>
        <tbody data-testid="host-rows">
          {page.items.map((h) => (
            <tr key={h.id} data-host={h.id} data-state={h.connectionState} class={h.id === selected ? 'selected' : ''} onClick={() => onSelect(h.id === selected ? null : h.id)}>
              <td>{h.id}</td>
              <td>
                <span class={`badge ${h.connectionState}`}>{h.connectionState}</span>
              </td>
              <td>{h.switchIds.map((id) => names.get(id) ?? id).join(', ')}</td>
              <td>{shortList(h.logicalNetworks.map((id) => names.get(id) ?? id))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.total === 0 && <p class="empty">no host matches</p>}
      <Pager page={page} onPage={setPageIndex} label="hosts" />
      {host && (
        <div class="detail" data-testid="host-detail">
          <h3>
            {host.id} <span class={`badge ${host.connectionState}`}>{host.connectionState}</span>
          </h3>
          <p>
            <b>Switches:</b> {host.switchIds.map((id) => names.get(id) ?? id).join(', ') || 'none'}
          </p>
          <p>
            <b>Logical networks:</b>
          </p>
          <ul data-testid="host-networks">
            {host.logicalNetworks.map((id) => (
              <li>{names.get(id) ?? id}</li>
            ))}
          </ul>
          <p>
            <b>DCNs:</b> {[...topology.dcns.values()].filter((d) => d.hostId === host.id).map((d) => d.name).join(', ') || 'none'}
          </p>
        </div>
      )}
    </section>
  );
}

function shortList(items: string[], shown = 3): string {
  return items.length <= shown ? items.join(', ') : `${items.slice(0, shown).join(', ')} +${items.length - shown}`;
}
