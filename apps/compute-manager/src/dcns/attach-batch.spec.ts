import { ConflictError, NotFoundError } from '@vnet/events';
import { acceptedAttaches, type AttachLookups, attachLookupsQuery, decideAttaches, holdingKey } from './attach-batch.js';
import { dcnDecider, type DcnState } from './dcn.decider.js';

const dcn = (id: string, hostId: string): DcnState => ({ ...dcnDecider.initialState(), status: 'active', id, name: id, hostId });
const pg1 = '00000000-0000-0000-0000-0000000000a1';
const net1 = '00000000-0000-0000-0000-0000000000b1';
const lookups: AttachLookups = {
  switchOf: new Map([[pg1, 'sw1']]),
  held: new Set([holdingKey('h1', net1)]),
  members: new Set([holdingKey('h1', 'sw1'), holdingKey('h2', 'sw1')]),
  migrating: new Set(['d3']),
};
const ids = () => {
  let n = 0;
  return () => `id-${++n}`;
};

describe('decideAttaches', () => {
  it('decides each attach of a batch on its own, with the error a lone attach would get', () => {
    const states = new Map([
      ['d1', dcn('d1', 'h1')],
      ['d2', dcn('d2', 'h2')],
      ['d3', dcn('d3', 'h1')],
      ['d4', dcnDecider.initialState()],
    ]);
    const decisions = decideAttaches(
      [
        { dcnId: 'd1', dto: { portGroupId: pg1 } },
        { dcnId: 'd2', dto: { logicalNetworkId: net1 } },
        { dcnId: 'd3', dto: { portGroupId: pg1 } },
        { dcnId: 'd4', dto: { portGroupId: pg1 } },
        { dcnId: 'd1', dto: { portGroupId: '00000000-0000-0000-0000-0000000000ff' } },
        { dcnId: 'd1', dto: { logicalNetworkId: net1 } },
      ],
      states,
      lookups,
      ids(),
    );
    expect(decisions[0]).toEqual({
      ok: true,
      nic: { id: 'id-1', portId: 'id-2', network: { kind: 'port-group', id: pg1, switchId: 'sw1' } },
    });
    expect(decisions[1]).toMatchObject({ ok: false, error: expect.any(ConflictError) });
    expect((decisions[1] as { error: ConflictError }).error.code).toBe('NETWORK_NOT_ON_HOST');
    expect((decisions[2] as { error: ConflictError }).error.code).toBe('MIGRATION_IN_PROGRESS');
    expect(decisions[3]).toMatchObject({ ok: false, error: expect.any(NotFoundError) });
    expect((decisions[4] as { error: Error }).error.message).toMatch(/port group/);
    expect(decisions[5]).toMatchObject({ ok: true, nic: { network: { kind: 'logical', id: net1 } } });
  });

  it('decides a DCN attached twice in one batch on the state the first attach left, and leaves the given states alone', () => {
    const states = new Map([['d1', dcn('d1', 'h1')]]);
    const decisions = decideAttaches(
      [
        { dcnId: 'd1', dto: { portGroupId: pg1 } },
        { dcnId: 'd1', dto: { portGroupId: pg1 } },
      ],
      states,
      lookups,
      ids(),
    );
    expect(decisions.map((d) => d.ok && d.nic.portId)).toEqual(['id-2', 'id-4']);
    expect(states.get('d1')!.nics).toEqual([]);
  });

  it('answers nothing for an empty batch', () => {
    expect(decideAttaches([], new Map(), lookups, ids())).toEqual([]);
  });

  it('asks each lookup once, for the active DCNs only', () => {
    const states = new Map([
      ['d1', dcn('d1', 'h1')],
      ['d2', dcn('d2', 'h2')],
      ['d4', dcnDecider.initialState()],
    ]);
    const query = attachLookupsQuery(
      [
        { dcnId: 'd1', dto: { portGroupId: pg1 } },
        { dcnId: 'd1', dto: { portGroupId: pg1 } },
        { dcnId: 'd2', dto: { logicalNetworkId: net1 } },
        { dcnId: 'd4', dto: { portGroupId: pg1 } },
        { dcnId: 'd5', dto: { logicalNetworkId: net1 } },
      ],
      states,
    );
    expect(query).toEqual({
      portGroupIds: [pg1],
      dcnIds: ['d1', 'd2', 'd4', 'd5'],
      held: [{ hostId: 'h2', networkId: net1 }],
      members: [{ hostId: 'h1', portGroupId: pg1 }],
    });
  });

  it("orders the accepted attaches by host, then DCN, then arrival, keeping each one's index", () => {
    const states = new Map([
      ['d1', dcn('d1', 'h2')],
      ['d2', dcn('d2', 'h1')],
      ['d3', dcn('d3', 'h3')],
    ]);
    const items = [
      { dcnId: 'd1', dto: { portGroupId: pg1 } },
      { dcnId: 'd3', dto: { portGroupId: pg1 } },
      { dcnId: 'd2', dto: { portGroupId: pg1 } },
      { dcnId: 'd1', dto: { portGroupId: pg1 } },
    ];
    const decisions = decideAttaches(items, states, lookups, ids());
    expect(decisions.map((d) => d.ok)).toEqual([true, false, true, true]);
    expect(acceptedAttaches(items, decisions, states).map((a) => [a.index, a.hostId, a.item.dcnId])).toEqual([
      [2, 'h1', 'd2'],
      [0, 'h2', 'd1'],
      [3, 'h2', 'd1'],
    ]);
  });
});
