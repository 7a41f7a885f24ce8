import { useMemo, useState } from 'preact/hooks';
import { countSwitchHosts, pageOf } from '../../src/topology/host-filter.js';
import type { HostTaskState, TaskEntry, Topology } from '../../src/topology/topology.js';
import { Pager } from './pager.js';

const PER_PAGE = 20;

export function Switches({ topology }: { topology: Topology }) {
  return (
    <section class="panel" data-testid="switches">
      <h2>Switches</h2>
      {topology.switches.size === 0 && <p class="empty">no switch</p>}
      {[...topology.switches.values()].map((s) => {
        const counts = countSwitchHosts(s, topology.hosts);
        return (
          <div class="card" data-switch={s.name} key={s.id}>
            <h3>
              {s.name} <small>revision {s.revision}</small>
            </h3>
            <p class="counts">
              {s.hostIds.length} hosts: <span class="ok">{counts.connected} connected</span>, <span class={counts.disconnected ? 'bad' : ''}>{counts.disconnected} disconnected</span>
              {counts.unknown > 0 && `, ${counts.unknown} not yet seen`}
            </p>
            <ul class="port-groups">
              {s.portGroups.map((pg) => (
                <li data-port-group={pg.name} key={pg.id}>
                  {pg.name} · VLAN {pg.vlanId}
                  {pg.management && <span class="badge mgmt">management</span>}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

export function Networks({ topology }: { topology: Topology }) {
  const [index, setIndex] = useState(0);
  const page = pageOf([...topology.networks.values()], index, PER_PAGE);
  return (
    <section class="panel" data-testid="networks">
      <h2>Logical networks</h2>
      {page.total === 0 && <p class="empty">no logical network on any host</p>}
      <ul>
        {page.items.map((n) => (
          <li data-network={n.name} key={n.id}>
            {n.name} · VNI {n.vni} · on {n.hostCount} host{n.hostCount === 1 ? '' : 's'}
          </li>
        ))}
      </ul>
      <Pager page={page} onPage={setIndex} label="networks" />
    </section>
  );
}

export function Dcns({ topology, names }: { topology: Topology; names: ReadonlyMap<string, string> }) {
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const matching = useMemo(() => {
    const q = query.trim().toLowerCase();
    return [...topology.dcns.values()].filter((d) => !q || d.name.toLowerCase().includes(q) || d.hostId.toLowerCase().includes(q));
  }, [topology.dcns, query]);
  const page = pageOf(matching, index, PER_PAGE);
  return (
    <section class="panel" data-testid="dcns">
      <h2>
        DCNs <small>{matching.length}</small>
      </h2>
      <input
        type="search"
        placeholder="search DCNs by name or host"
        value={query}
        onInput={(e) => {
          setQuery((e.target as HTMLInputElement).value);
          setIndex(0);
        }}
        data-testid="dcn-search"
      />
      {page.items.map((d) => (
        <div class="card" data-dcn={d.name} key={d.id}>
          <h3>
            {d.name} <small>on {d.hostId}</small>
          </h3>
          {d.ports.length === 0 ? (
            <p class="empty">no port</p>
          ) : (
            <ul>
              {d.ports.slice(0, 16).map((p) => (
                <li data-port={p.portId} key={p.nicId}>
                  port {p.portId} → {p.networkKind === 'logical' ? 'logical network' : 'port group'} {names.get(p.networkId) ?? p.networkId}
                </li>
              ))}
              {d.ports.length > 16 && <li>and {d.ports.length - 16} more</li>}
            </ul>
          )}
        </div>
      ))}
      <Pager page={page} onPage={setIndex} label="dcns" />
    </section>
  );
}

export function Tasks({ topology }: { topology: Topology }) {
  const tasks = [...topology.tasks.values()].sort((a, b) => (a.state === 'running') !== (b.state === 'running') ? (a.state === 'running' ? -1 : 1) : b.startedAt.localeCompare(a.startedAt));
  return (
    <section class="panel" data-testid="tasks">
      <h2>Tasks</h2>
      {tasks.length === 0 && <p class="empty">no task yet</p>}
      {tasks.map((t) => (
        <TaskCard task={t} key={t.id} />
      ))}
    </section>
  );
}

const HOST_STATES: HostTaskState[] = ['succeeded', 'pending', 'failed', 'rolled_back'];

function TaskCard({ task }: { task: TaskEntry }) {
  const [open, setOpen] = useState(false);
  const [index, setIndex] = useState(0);
  const total = task.hosts.length;
  const done = total - task.counts.pending;
  // What needs a look comes first: hosts that failed, rolled back or have not answered.
  const hosts = useMemo(() => [...task.hosts].sort((a, b) => rank(a.state) - rank(b.state)), [task.hosts]);
  const page = pageOf(hosts, index, PER_PAGE);
  return (
    <div class={`card task ${task.state}`} data-task={task.id} data-state={task.state}>
      <h3 onClick={() => setOpen(!open)}>
        {task.kind} <span class={`badge ${task.state}`}>{task.state.replace('_', ' ')}</span>
      </h3>
      <div class="progress" title={`${done} of ${total} hosts answered`}>
        {HOST_STATES.map((s) => (total ? <span class={`bar ${s}`} style={{ width: `${(100 * task.counts[s]) / total}%` }} /> : null))}
      </div>
      <p class="counts" data-testid="task-counts">
        {done}/{total} hosts · {task.counts.succeeded} succeeded · {task.counts.pending} pending · {task.counts.failed} failed · {task.counts.rolled_back} rolled back
      </p>
      <button type="button" class="link" onClick={() => setOpen(!open)}>
        {open ? 'hide hosts' : 'show hosts'}
      </button>
      {open && (
        <>
          <ul class="task-hosts">
            {page.items.map((h) => (
              <li data-task-host={h.hostId} data-state={h.state} key={h.hostId}>
                {h.hostId}: <span class={`badge ${h.state}`}>{h.state.replace('_', ' ')}</span>
                {h.detail && <small> {h.detail}</small>}
              </li>
            ))}
          </ul>
          <Pager page={page} onPage={setIndex} label="task-hosts" />
        </>
      )}
    </div>
  );
}

const rank = (s: HostTaskState) => ({ failed: 0, rolled_back: 1, pending: 2, succeeded: 3 })[s];

export function Activity({ topology, names }: { topology: Topology; names: ReadonlyMap<string, string> }) {
  const entries = [...topology.activity].reverse();
  return (
    <section class="panel" data-testid="activity">
      <h2>Rollbacks and repairs</h2>
      {entries.length === 0 && <p class="empty">none seen</p>}
      <ul>
        {entries.map((a) => (
          <li data-activity={a.kind} key={a.id}>
            <time>{a.at.replace('T', ' ').slice(0, 19)}</time> <span class={`badge ${a.kind}`}>{a.kind.replace('-', ' ')}</span> {a.switchId && <b>{names.get(a.switchId) ?? a.switchId}</b>} {a.summary}
          </li>
        ))}
      </ul>
    </section>
  );
}
