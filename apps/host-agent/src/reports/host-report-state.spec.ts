import type { LogicalNetworkConstruct } from '@vnet/contracts';
import { HostReportState } from './host-report-state.js';

const net = (id: string, revision = 1): LogicalNetworkConstruct => ({
  id,
  name: id,
  vni: 1,
  mtu: 1500,
  transportZoneId: 'z',
  revision,
  owner: 'network-manager',
});

/** Apply, flush, plan: the path of a change from the switch to a report. */
function flushAll(r: HostReportState): void {
  r.flushed(r.takeUnflushed());
}

describe('host report state', () => {
  it('reports nothing before the store has the change on disk', () => {
    const r = new HostReportState();
    r.record({ type: 'upserted', construct: net('a') });
    expect(r.plan(() => [])).toEqual([]);
    flushAll(r);
    expect(r.plan(() => [])).toEqual([{ seq: 1, upserted: [net('a')], removed: [] }]);
  });

  it('coalesces the changes of a tick into one delta, the last state of each network winning', () => {
    const r = new HostReportState();
    r.record({ type: 'upserted', construct: net('a') });
    r.record({ type: 'upserted', construct: net('b') });
    r.record({ type: 'upserted', construct: net('a', 2) });
    r.record({ type: 'removed', id: 'b' });
    r.record({ type: 'removed', id: 'c' });
    r.record({ type: 'upserted', construct: net('c', 5) });
    flushAll(r);
    expect(r.plan(() => [])).toEqual([{ seq: 1, upserted: [net('a', 2), net('c', 5)], removed: ['b'] }]);
  });

  it('sends the next messages only once the previous ones are out, with increasing seq', () => {
    const r = new HostReportState();
    r.record({ type: 'upserted', construct: net('a') });
    flushAll(r);
    r.plan(() => []);
    r.record({ type: 'upserted', construct: net('b') });
    flushAll(r);
    expect(r.plan(() => [])).toEqual([]);
    r.outbox.shift();
    expect(r.plan(() => [])[0]).toMatchObject({ seq: 2, upserted: [net('b')] });
  });

  it('replaces waiting deltas with a full report of what is on disk', () => {
    const r = new HostReportState();
    r.record({ type: 'upserted', construct: net('a') });
    flushAll(r);
    r.requestFull();
    const plans = r.plan(() => [net('a'), net('x')]);
    expect(plans).toEqual([
      { seq: 1, held: [net('a'), net('x')], upserted: [net('a'), net('x')], removed: [], extras: { logicalPorts: [], switches: [] } },
    ]);
    r.outbox.length = 0;
    expect(r.hasWork).toBe(false);
  });

  it('gives a full report that takes in a waiting change the correlation id of that change', () => {
    const r = new HostReportState();
    r.markExtras('attach-1');
    flushAll(r);
    r.requestFull();
    const [full] = r.plan(() => [net('a')]);
    expect(full).toMatchObject({ seq: 1, held: [net('a')], correlationId: 'attach-1' });
    r.outbox.length = 0;
    // A full report answering no change carries none.
    r.requestFull();
    expect(r.plan(() => [net('a')])[0].correlationId).toBeUndefined();
  });

  it('carries the host\'s logical ports and switches once their change is on disk, alone if nothing else changed', () => {
    const r = new HostReportState();
    r.markExtras();
    expect(r.plan(() => [])).toEqual([]);
    flushAll(r);
    const extras = { logicalPorts: [{ id: 'p1', logicalNetworkId: 'n1', dcnId: 'd1' }], switches: [{ id: 's1', revision: 3 }] };
    expect(r.plan(() => [], () => extras)).toEqual([{ seq: 1, upserted: [], removed: [], extras }]);
    r.outbox.length = 0;
    expect(r.hasWork).toBe(false);
  });

  it('drops what waits when the link cuts, keeping seq increasing', () => {
    const r = new HostReportState();
    r.record({ type: 'upserted', construct: net('a') });
    flushAll(r);
    r.plan(() => []);
    r.requestFull();
    r.drop();
    expect(r.hasWork).toBe(false);
    expect(r.outbox).toEqual([]);
    r.record({ type: 'removed', id: 'a' });
    flushAll(r);
    expect(r.plan(() => [])[0].seq).toBe(2);
  });

  it('puts changes of a failed flush back before the later ones', () => {
    const r = new HostReportState();
    r.record({ type: 'upserted', construct: net('a') });
    const taken = r.takeUnflushed();
    r.record({ type: 'removed', id: 'a' });
    r.flushFailed(taken);
    flushAll(r);
    expect(r.plan(() => [])).toEqual([{ seq: 1, upserted: [], removed: ['a'] }]);
  });
});
