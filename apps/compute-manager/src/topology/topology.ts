/**
 * The live topology the UI shows, as one value: hosts, switches with their port groups, the logical
 * networks hosts hold, DCNs with their ports, running and recent tasks, and the rollbacks and
 * repairs seen. Plain TypeScript, shared by the compute manager (which builds and diffs it) and the
 * browser (which applies the changes): no Nest, no I/O, no clock.
 */

export type ConnectionState = 'connected' | 'disconnected';
export type TaskState = 'running' | 'succeeded' | 'failed' | 'rolled_back';
export type HostTaskState = 'pending' | 'succeeded' | 'failed' | 'rolled_back';

export interface HostEntry {
  id: string;
  connectionState: ConnectionState;
  /** The logical networks the host holds (ids). */
  logicalNetworks: string[];
  /** The switches the host is a member of (ids). */
  switchIds: string[];
}

export interface PortGroupEntry {
  id: string;
  name: string;
  vlanId: number;
  management: boolean;
}

export interface SwitchEntry {
  id: string;
  name: string;
  revision: number;
  hostIds: string[];
  portGroups: PortGroupEntry[];
}

export interface NetworkEntry {
  id: string;
  name: string;
  vni: number;
  hostCount: number;
}

export interface DcnPortEntry {
  nicId: string;
  portId: string;
  networkKind: 'logical' | 'port-group';
  networkId: string;
}

export interface DcnEntry {
  id: string;
  name: string;
  hostId: string;
  ports: DcnPortEntry[];
}

export interface TaskHostEntry {
  hostId: string;
  state: HostTaskState;
  detail: string | null;
}

export interface TaskEntry {
  id: string;
  kind: string;
  state: TaskState;
  startedAt: string;
  finishedAt: string | null;
  counts: Record<HostTaskState, number>;
  /** Each host's outcome, in host id order. */
  hosts: TaskHostEntry[];
}

export type ActivityKind = 'rollback' | 'revert' | 'snapshot-restore' | 'management-repair' | 'repair-cleared';

/** A rollback or repair as it happened (an event of the log). */
export interface ActivityEntry {
  id: string;
  at: string;
  kind: ActivityKind;
  hostId: string | null;
  switchId: string | null;
  summary: string;
}

/** The collections of the topology that change entry by entry, keyed by id. */
export const COLLECTIONS = ['hosts', 'switches', 'networks', 'dcns', 'tasks'] as const;
export type Collection = (typeof COLLECTIONS)[number];

export interface EntryOf {
  hosts: HostEntry;
  switches: SwitchEntry;
  networks: NetworkEntry;
  dcns: DcnEntry;
  tasks: TaskEntry;
}

export type Topology = { [C in Collection]: Map<string, EntryOf[C]> } & { activity: ActivityEntry[] };

/** The topology on the wire (the first message of the feed): each collection as an array. */
export type TopologySnapshot = { [C in Collection]: EntryOf[C][] } & { activity: ActivityEntry[] };

/** What changed from one topology to the next: entries new or different, ids gone, activity new. */
export interface TopologyChange {
  upserted: { [C in Collection]?: EntryOf[C][] };
  removed: { [C in Collection]?: string[] };
  activity: ActivityEntry[];
}

/** How many recent entries of the activity the topology keeps. */
export const ACTIVITY_KEPT = 50;

export function emptyTopology(): Topology {
  return { hosts: new Map(), switches: new Map(), networks: new Map(), dcns: new Map(), tasks: new Map(), activity: [] };
}

export function toSnapshot(t: Topology): TopologySnapshot {
  return {
    hosts: [...t.hosts.values()],
    switches: [...t.switches.values()],
    networks: [...t.networks.values()],
    dcns: [...t.dcns.values()],
    tasks: [...t.tasks.values()],
    activity: [...t.activity],
  };
}

export function fromSnapshot(s: TopologySnapshot): Topology {
  const byId = <E extends { id: string }>(entries: E[]) => new Map(entries.map((e) => [e.id, e]));
  return {
    hosts: byId(s.hosts),
    switches: byId(s.switches),
    networks: byId(s.networks),
    dcns: byId(s.dcns),
    tasks: byId(s.tasks),
    activity: s.activity.slice(-ACTIVITY_KEPT),
  };
}

/**
 * The change from `before` to `after`. Entries are compared by their JSON (they are built the same
 * way each time, so equal entries give equal text); activity is new when its id was not in `before`.
 */
export function diffTopology(before: Topology, after: Topology): TopologyChange {
  const change: TopologyChange = { upserted: {}, removed: {}, activity: [] };
  for (const c of COLLECTIONS) diffCollection(c, before[c], after[c], change);
  const seen = new Set(before.activity.map((a) => a.id));
  change.activity = after.activity.filter((a) => !seen.has(a.id));
  return change;
}

function diffCollection<C extends Collection>(c: C, before: Map<string, EntryOf[C]>, after: Map<string, EntryOf[C]>, change: TopologyChange): void {
  const upserted: EntryOf[C][] = [];
  for (const [id, entry] of after) {
    const old = before.get(id);
    if (!old || JSON.stringify(old) !== JSON.stringify(entry)) upserted.push(entry);
  }
  const removed = [...before.keys()].filter((id) => !after.has(id));
  if (upserted.length) (change.upserted as Record<Collection, unknown[]>)[c] = upserted;
  if (removed.length) change.removed[c] = removed;
}

export function isEmptyChange(change: TopologyChange): boolean {
  return Object.keys(change.upserted).length === 0 && Object.keys(change.removed).length === 0 && change.activity.length === 0;
}

/** `t` with `change` applied (a new value; `t` is left as it was). */
export function applyChange(t: Topology, change: TopologyChange): Topology {
  const next = { ...t } as Topology;
  for (const c of COLLECTIONS) {
    const upserted = change.upserted[c] as Array<EntryOf[typeof c]> | undefined;
    const removed = change.removed[c];
    if (!upserted && !removed) continue;
    const map = new Map(t[c] as Map<string, EntryOf[typeof c]>);
    for (const id of removed ?? []) map.delete(id);
    for (const e of upserted ?? []) map.set(e.id, e);
    (next as Record<Collection, unknown>)[c] = map;
  }
  if (change.activity.length) next.activity = [...t.activity, ...change.activity].slice(-ACTIVITY_KEPT);
  return next;
}

/** Two changes as one: what a client that missed the first would need (coalescing). */
export function mergeChanges(first: TopologyChange, second: TopologyChange): TopologyChange {
  const merged: TopologyChange = { upserted: {}, removed: {}, activity: [...first.activity, ...second.activity] };
  for (const c of COLLECTIONS) {
    const upserts = new Map<string, unknown>();
    const removed = new Set<string>();
    for (const step of [first, second]) {
      for (const id of step.removed[c] ?? []) {
        upserts.delete(id);
        removed.add(id);
      }
      for (const e of (step.upserted[c] ?? []) as Array<{ id: string }>) {
        removed.delete(e.id);
        upserts.set(e.id, e);
      }
    }
    if (upserts.size) (merged.upserted as Record<Collection, unknown[]>)[c] = [...upserts.values()];
    if (removed.size) merged.removed[c] = [...removed];
  }
  return merged;
}

export interface TopologySummary {
  hosts: { total: number; connected: number; disconnected: number };
  switches: number;
  portGroups: number;
  networks: number;
  dcns: number;
  ports: number;
  tasks: Record<TaskState, number>;
}

/** Counts for the page's header: what 2,000 hosts look like at a glance. */
export function summarize(t: Topology): TopologySummary {
  let connected = 0;
  for (const h of t.hosts.values()) if (h.connectionState === 'connected') connected++;
  let portGroups = 0;
  for (const s of t.switches.values()) portGroups += s.portGroups.length;
  let ports = 0;
  for (const d of t.dcns.values()) ports += d.ports.length;
  const tasks: Record<TaskState, number> = { running: 0, succeeded: 0, failed: 0, rolled_back: 0 };
  for (const task of t.tasks.values()) tasks[task.state]++;
  return {
    hosts: { total: t.hosts.size, connected, disconnected: t.hosts.size - connected },
    switches: t.switches.size,
    portGroups,
    networks: t.networks.size,
    dcns: t.dcns.size,
    ports,
    tasks,
  };
}

/** A task's entry: its hosts in id order, counted by state. */
export function taskEntry(task: {
  id: string;
  kind: string;
  state: TaskState;
  startedAt: string;
  finishedAt: string | null;
  hosts: Record<string, { state: HostTaskState; detail: string | null }>;
}): TaskEntry {
  const counts: Record<HostTaskState, number> = { pending: 0, succeeded: 0, failed: 0, rolled_back: 0 };
  const hosts = Object.keys(task.hosts)
    .sort()
    .map((hostId) => {
      const h = task.hosts[hostId];
      counts[h.state]++;
      return { hostId, state: h.state, detail: h.detail };
    });
  return { id: task.id, kind: task.kind, state: task.state, startedAt: task.startedAt, finishedAt: task.finishedAt, counts, hosts };
}
