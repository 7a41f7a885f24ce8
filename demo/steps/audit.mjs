// Chapter 5: the audit trail. Every step sent its own X-Correlation-Id; the managers' logs and the hosts'
// journals say what each one did, who did it, and that what was refused recorded nothing.
import { readJournal, readLog } from '../lib/client.mjs';

/** `Type ×n, Other` for a list of events. */
const summary = (events) => {
  const counts = new Map();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [...counts].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t)).join(', ') || 'nothing';
};

export async function auditTrail(ctx) {
  const { say, nm, cm, ha, hosts, traces } = ctx;
  const h2 = hosts[1];
  ctx.begin('audit', 'The audit trail of it all', {
    does: "follows each step's correlation id through both managers' event logs (GET /events?correlationId=), and reads a host's own journal",
    checks:
      "each change is in the log of the manager that owns it, under the operator's name or the host's that acted; the refused requests recorded nothing",
  });
  const logs = {};
  for (const { key, id } of traces) {
    if (key === 'audit') continue;
    const [onNm, onCm] = await Promise.all([readLog(nm, `correlationId=${id}`), readLog(cm, `correlationId=${id}`)]);
    logs[key] = { nm: onNm, cm: onCm };
    say.note(
      `${key.padEnd(16)} ${id}: network manager ${onNm.length ? summary(onNm) : '–'}; compute manager ${onCm.length ? summary(onCm) : '–'}`,
    );
  }
  const types = (key, side) => logs[key][side].map((e) => e.type);
  say.equal(
    "the zones and networks are in the network manager's log",
    types('networks', 'nm').sort(),
    ['LogicalNetworkCreated', 'LogicalNetworkCreated', 'LogicalNetworkCreated', 'TransportZoneCreated', 'TransportZoneCreated'],
    summary(logs.networks.nm),
  );
  say.equal(
    'the refused migration recorded nothing, on either manager',
    logs['migrate-refused'].nm.length + logs['migrate-refused'].cm.length,
    0,
  );
  say.equal('the accepted one recorded only the move', types('migrate', 'cm'), ['DcnMigrated']);
  const byOperator = Object.values(logs)
    .flatMap((l) => [...l.nm, ...l.cm])
    .filter((e) => !e.metadata.actor.startsWith('host:'));
  const actors = [...new Set(byOperator.map((e) => e.metadata.actor))];
  say.check('what the operator did is recorded under one name', actors.length === 1, {
    expected: "one actor (the admin token's)",
    seen: actors,
    figures: `${byOperator.length} events by ${actors.join(', ')}`,
  });
  const own = await readLog(cm, `actor=host:${h2}`);
  const acts = ['SwitchStateRestored', 'HostPortOverridden', 'ModuleDataReported'];
  say.check(
    `what ${h2} did by itself is recorded under its own name: the revert, the override, its module's data`,
    acts.every((t) => own.some((e) => e.type === t)),
    {
      expected: `${acts.join(', ')} with actor host:${h2}`,
      seen: summary(own),
      figures: summary(own.filter((e) => acts.includes(e.type))),
    },
  );

  const journal = await readJournal(ha, h2);
  const wanted = ['ChangeRolledBack', 'ManagementCloned', 'OverrideApplied', 'ManagementRepaired'];
  const seen = wanted.map((t) => journal.filter((e) => e.type === t).length);
  say.check(
    `${h2}'s own journal has its rollback and its repair`,
    seen.every((n) => n >= 1),
    {
      expected: `at least one each of ${wanted.join(', ')}`,
      seen: summary(journal),
      figures: `${journal.length} entries: ${wanted.map((t, i) => `${t} ×${seen[i]}`).join(', ')}`,
    },
  );
}
