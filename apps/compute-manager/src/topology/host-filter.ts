import type { ConnectionState, HostEntry, SwitchEntry } from './topology.js';

/**
 * Filtering, searching and paging of hosts for the page: at 2,000 hosts it shows counts and one page
 * of rows, never a node per host (or per port) for all of them. Plain TypeScript, shared with the browser.
 */
export interface HostFilter {
  /** Case-insensitive substring of the host id, or of a logical network or switch it holds. */
  query: string;
  state: ConnectionState | 'all';
  /** Only members of this switch; null: any. */
  switchId: string | null;
}

export const ALL_HOSTS: HostFilter = { query: '', state: 'all', switchId: null };

export function matchesHost(host: HostEntry, filter: HostFilter, names: ReadonlyMap<string, string> = new Map()): boolean {
  if (filter.state !== 'all' && host.connectionState !== filter.state) return false;
  if (filter.switchId !== null && !host.switchIds.includes(filter.switchId)) return false;
  const q = filter.query.trim().toLowerCase();
  if (!q) return true;
  if (host.id.toLowerCase().includes(q)) return true;
  return [...host.logicalNetworks, ...host.switchIds].some((id) => id.toLowerCase().includes(q) || (names.get(id) ?? '').toLowerCase().includes(q));
}

/** The hosts that match, disconnected first (what needs looking at), then by id in natural order. */
export function filterHosts(hosts: Iterable<HostEntry>, filter: HostFilter, names?: ReadonlyMap<string, string>): HostEntry[] {
  const out: HostEntry[] = [];
  for (const h of hosts) if (matchesHost(h, filter, names)) out.push(h);
  return out.sort((a, b) => {
    if (a.connectionState !== b.connectionState) return a.connectionState === 'disconnected' ? -1 : 1;
    return COLLATOR.compare(a.id, b.id);
  });
}

const COLLATOR = new Intl.Collator('en', { numeric: true });

export interface Page<T> {
  items: T[];
  /** Zero-based, clamped into range. */
  index: number;
  pages: number;
  total: number;
}

export function pageOf<T>(items: readonly T[], index: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const clamped = Math.min(Math.max(0, Math.floor(index)), pages - 1);
  return { items: items.slice(clamped * size, (clamped + 1) * size), index: clamped, pages, total: items.length };
}

export interface SwitchHostCounts {
  switchId: string;
  connected: number;
  disconnected: number;
  /** Members the manager has no host for (not yet discovered). */
  unknown: number;
}

/** Each switch's members counted by connection state. */
export function countSwitchHosts(sw: SwitchEntry, hosts: ReadonlyMap<string, HostEntry>): SwitchHostCounts {
  const counts: SwitchHostCounts = { switchId: sw.id, connected: 0, disconnected: 0, unknown: 0 };
  for (const id of sw.hostIds) {
    const h = hosts.get(id);
    if (!h) counts.unknown++;
    else counts[h.connectionState]++;
  }
  return counts;
}
