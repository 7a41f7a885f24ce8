import { useEffect, useMemo, useState } from 'preact/hooks';
import { applyChange, emptyTopology, fromSnapshot, summarize, type Topology } from '../../src/topology/topology.js';
import { type FeedStatus, openFeed } from './feed.js';
import { Hosts } from './hosts.js';
import { Login } from './login.js';
import { Activity, Dcns, Networks, Switches, Tasks } from './panels.js';
import { session } from './session.js';

export function App() {
  const [token, setToken] = useState<string | null>(session.token());
  if (!token)
    return (
      <Login
        onToken={(t) => {
          session.keep(t);
          setToken(t);
        }}
      />
    );
  return (
    <Live
      token={token}
      onSignOut={() => {
        session.forget();
        setToken(null);
      }}
    />
  );
}

function Live({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const [topology, setTopology] = useState<Topology>(emptyTopology);
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const [selectedHost, setSelectedHost] = useState<string | null>(null);
  useEffect(
    () =>
      openFeed(token, {
        snapshot: (s) => setTopology(fromSnapshot(s)),
        change: (c) => setTopology((t) => applyChange(t, c)),
        status: setStatus,
        unauthorized: onSignOut,
      }),
    [token],
  );
  const summary = useMemo(() => summarize(topology), [topology]);
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const s of topology.switches.values()) {
      m.set(s.id, s.name);
      for (const pg of s.portGroups) m.set(pg.id, `${s.name}/${pg.name}`);
    }
    for (const n of topology.networks.values()) m.set(n.id, n.name);
    return m;
  }, [topology.switches, topology.networks]);

  return (
    <div class="page">
      <header>
        <h1>vnet · live topology</h1>
        <span class={`status ${status}`} data-testid="feed-status">
          {status}
        </span>
        <button type="button" onClick={onSignOut} data-testid="sign-out">
          Sign out
        </button>
      </header>
      <section class="summary" data-testid="summary">
        <Stat label="hosts" value={summary.hosts.total} id="hosts-total" />
        <Stat label="connected" value={summary.hosts.connected} id="hosts-connected" tone="ok" />
        <Stat label="disconnected" value={summary.hosts.disconnected} id="hosts-disconnected" tone={summary.hosts.disconnected ? 'bad' : undefined} />
        <Stat label="switches" value={summary.switches} id="switches" />
        <Stat label="port groups" value={summary.portGroups} id="port-groups" />
        <Stat label="logical networks" value={summary.networks} id="networks" />
        <Stat label="DCNs" value={summary.dcns} id="dcns" />
        <Stat label="DCN ports" value={summary.ports} id="ports" />
        <Stat label="tasks running" value={summary.tasks.running} id="tasks-running" />
      </section>
      <div class="columns">
        <div>
          <Hosts topology={topology} names={names} selected={selectedHost} onSelect={setSelectedHost} />
          <Dcns topology={topology} names={names} />
        </div>
        <div>
          <Tasks topology={topology} />
          <Activity topology={topology} names={names} />
          <Switches topology={topology} />
          <Networks topology={topology} />
        </div>
      </div>
    </div>
  );
}

function Stat({ label, value, id, tone }: { label: string; value: number; id: string; tone?: 'ok' | 'bad' }) {
  return (
    <div class={`stat ${tone ?? ''}`}>
      <span class="value" data-testid={`stat-${id}`}>
        {value.toLocaleString('en')}
      </span>
      <span class="label">{label}</span>
    </div>
  );
}
