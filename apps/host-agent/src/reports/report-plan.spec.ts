import type { HostReport, LogicalNetworkConstruct } from '@vnet/contracts';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import { catalogBytes, encodeReport, reportMsgId } from './report-codec.js';
import { planDeltaReport, planFullReport } from './report-plan.js';

const nets = (n: number): LogicalNetworkConstruct[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    name: `net "${i}"`,
    vni: 100 + i,
    mtu: 1500,
    transportZoneId: 'z',
    revision: 1 + (i % 3),
    owner: 'network-manager',
  }));

describe('report plans', () => {
  it('sends a full report as held plus the first chunk, then the rest in chunks', () => {
    const held = nets(1200);
    const plans = planFullReport(held, 7, 500);
    expect(plans.map((p) => [p.seq, p.held?.length, p.upserted.length])).toEqual([
      [7, 1200, 500],
      [8, undefined, 500],
      [9, undefined, 200],
    ]);
    expect(plans.flatMap((p) => p.upserted)).toEqual(held);
  });

  it('sends a full report of nothing as one message with empty held', () => {
    expect(planFullReport([], 1)).toEqual([{ seq: 1, held: [], upserted: [], removed: [] }]);
  });

  it('sends a delta with its removals first and its upserts chunked, and nothing for no change', () => {
    const plans = planDeltaReport(nets(501), ['gone'], 3, 500);
    expect(plans.map((p) => [p.seq, p.upserted.length, p.removed])).toEqual([
      [3, 500, ['gone']],
      [4, 1, []],
    ]);
    expect(plans.every((p) => p.held === undefined)).toBe(true);
    expect(planDeltaReport([], ['x'], 1)).toEqual([{ seq: 1, upserted: [], removed: ['x'] }]);
    expect(planDeltaReport([], [], 1)).toEqual([]);
  });

  it('encodes to the HostReport JSON', () => {
    const catalog = new ConstructCatalog();
    const held = nets(3);
    const envelope = { hostId: 'host-1', bootId: 'b', sentAt: '2025-01-01T00:00:00.000Z' };
    const [full] = planFullReport(held, 1);
    const expected: HostReport = {
      hostId: 'host-1',
      bootId: 'b',
      seq: 1,
      held: held.map((c) => ({ id: c.id, revision: c.revision })),
      upserted: held,
      removed: [],
      sentAt: envelope.sentAt,
    };
    expect(JSON.parse(encodeReport(full, envelope, catalogBytes(catalog)).toString('utf8'))).toEqual(expected);
    const [delta] = planDeltaReport(held.slice(0, 1), ['x'], 2);
    const parsed = JSON.parse(encodeReport(delta, envelope, catalogBytes(catalog)).toString('utf8'));
    expect(parsed).toEqual({
      hostId: 'host-1',
      bootId: 'b',
      seq: 2,
      upserted: [held[0]],
      removed: ['x'],
      sentAt: envelope.sentAt,
    });
    expect('held' in parsed).toBe(false);
    expect(reportMsgId('host-1', 'b', 2)).toBe('host-1:b:2');
  });
});
