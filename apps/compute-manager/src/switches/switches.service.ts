import { Inject, Injectable } from '@nestjs/common';
import { ConflictError, EventLog, NotFoundError, parseAsOf } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { unknownHostIds } from '../hosts/host.read-model.js';
import type { CreatePortGroupDto, CreateSwitchDto, UpdatePortGroupDto } from './dto/switch.dto.js';
import type { SwitchView } from './dto/switch.view.js';
import type { OpaqueEntry } from '@vnet/contracts';
import { opaqueEntries } from '../opaque-data/opaque-map.js';
import { completePolicy } from './policy.js';
import { SwitchChanges } from './switch-changes.js';
import { restoreTo } from './switch-history.js';
import { DEFAULT_ROLLBACK_TIMEOUT_MS, DEFAULT_SWITCH_MTU, SwitchAggregate, type SwitchState } from './switch.decider.js';

export function switchView(s: SwitchState): SwitchView {
  return {
    id: s.id,
    name: s.name,
    revision: s.revision,
    hostIds: s.hostIds,
    rollbackTimeoutMs: s.rollbackTimeoutMs,
    mtu: s.mtu,
    portGroups: s.portGroups.map(({ changedAtRevision: _c, ...pg }) => pg),
  };
}

@Injectable()
export class SwitchesService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dataSource: DataSource,
    private readonly changes: SwitchChanges,
  ) {}

  async create(dto: CreateSwitchDto): Promise<SwitchView & { taskId: string }> {
    const id = randomUUID();
    const { state, taskId } = await this.changes.change(id, 'switch.create', async (_state, client) => ({
      type: 'CreateSwitch',
      id,
      name: dto.name,
      hostIds: dto.hostIds,
      rollbackTimeoutMs: dto.rollbackTimeoutMs ?? DEFAULT_ROLLBACK_TIMEOUT_MS,
      mtu: dto.mtu ?? DEFAULT_SWITCH_MTU,
      unknownHostIds: await unknownHostIds(client, dto.hostIds),
    }));
    return { ...switchView(state), taskId };
  }

  async addHost(id: string, hostId: string): Promise<{ taskId: string }> {
    const { taskId } = await this.changes.change(
      id,
      'switch.add-host',
      async (_state, client) => ({ type: 'AddSwitchHost', id, hostId, hostKnown: (await unknownHostIds(client, [hostId])).length === 0 }),
      [hostId],
    );
    return { taskId };
  }

  async addPortGroup(id: string, dto: CreatePortGroupDto): Promise<{ taskId: string; portGroupId: string }> {
    const portGroupId = randomUUID();
    const policy = completePolicy(dto.policy);
    const { taskId } = await this.changes.change(id, 'port-group.create', () => ({
      type: 'AddPortGroup',
      id,
      portGroup: { id: portGroupId, name: dto.name, vlanId: dto.vlanId, management: dto.management ?? false, policy },
    }));
    return { taskId, portGroupId };
  }

  async updatePortGroup(
    id: string,
    portGroupId: string,
    dto: UpdatePortGroupDto,
    rollback: boolean,
    expectedRevision?: number,
  ): Promise<{ taskId: string; revision: number; changed: boolean }> {
    const { taskId, state, changed } = await this.changes.change(id, 'port-group.update', (state) => {
      const current = state.portGroups.find((pg) => pg.id === portGroupId);
      if (!current) throw new NotFoundError('port group', portGroupId);
      const policy = dto.policy ? completePolicy(dto.policy, current.policy) : undefined;
      return { type: 'ReconfigurePortGroup', id, portGroupId, vlanId: dto.vlanId, policy, expectedRevision, rollback };
    });
    return { taskId, revision: state.revision, changed };
  }

  /**
   * Appends what makes the switch equal to its state at `toPosition` (members, port groups and
   * opaque data; name, MTU and rollback timeout never change after creation) and pushes it. The
   * history stays whole; a switch already equal to that state records nothing.
   */
  async revert(id: string, toPosition: number): Promise<{ taskId: string; revision: number; changed: boolean }> {
    const { state: past } = await this.log.load(SwitchAggregate, id, { position: toPosition });
    const { taskId, state, changed } = await this.changes.change(id, 'switch.revert', async (current, client) => {
      if (current.status !== 'active') throw new NotFoundError('switch', id);
      if (past.status !== 'active') throw new ConflictError('NOT_YET_CREATED', `switch ${id} did not exist yet at position ${toPosition}`);
      return restoreTo(past, { kind: 'revert', toPosition }, await unknownHostIds(client, past.hostIds));
    });
    return { taskId, revision: state.revision, changed };
  }

  async list(): Promise<SwitchView[]> {
    const rows = await this.dataSource.query<Array<{ state: SwitchState }>>('SELECT state FROM switches ORDER BY created_position');
    return rows.map((r) => switchView(r.state));
  }

  /** The switch now, with its and its port groups' opaque entries (what a snapshot holds). */
  async withOpaque(id: string): Promise<{ view: SwitchView; opaque: OpaqueEntry[] }> {
    const rows = /^[0-9a-f-]{36}$/i.test(id) ? await this.dataSource.query<Array<{ state: SwitchState }>>('SELECT state FROM switches WHERE id = $1', [id]) : [];
    if (!rows[0]) throw new NotFoundError('switch', id);
    return { view: switchView(rows[0].state), opaque: opaqueEntries(rows[0].state.opaque) };
  }

  async get(id: string, asOf?: string): Promise<SwitchView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('switch', id);
    if (asOf !== undefined) {
      const { state } = await this.log.load(SwitchAggregate, id, parseAsOf(asOf));
      if (state.status !== 'active') throw new NotFoundError('switch', id);
      return switchView(state);
    }
    const rows = await this.dataSource.query<Array<{ state: SwitchState }>>('SELECT state FROM switches WHERE id = $1', [id]);
    if (!rows[0]) throw new NotFoundError('switch', id);
    return switchView(rows[0].state);
  }
}
