import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { commandMetadata, EventLog, NotFoundError, SERVICE_CONFIG, type SqlClient } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';
import { HostPortsPublisher, hostPortsRevision } from '../desired-state/host-ports.publisher.js';
import { unknownHostIds } from '../hosts/host.read-model.js';
import type { SwitchState } from '../switches/switch.decider.js';
import { TasksService } from '../tasks/tasks.service.js';
import { DcnAggregate, type DcnCommand, dcnDecider, type DcnState, missingOnTarget, type Nic, type NicNetwork } from './dcn.decider.js';
import type { AttachNicDto, DcnView, NicView } from './dto/dcn.dto.js';
import { HostTimeoutError } from './host-timeout.error.js';
import { MigrationMetrics } from './migration.metrics.js';

const nicView = (n: Nic): NicView => ({ id: n.id, portId: n.portId, network: { kind: n.network.kind, id: n.network.id } });
const dcnView = (s: DcnState): DcnView => ({ id: s.id, name: s.name, hostId: s.hostId, nics: s.nics.map(nicView) });

@Injectable()
export class DcnsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Dcns');

  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dataSource: DataSource,
    private readonly tasks: TasksService,
    private readonly ports: HostPortsPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig,
    private readonly migrations: MigrationMetrics,
  ) {}

  /**
   * A migration interrupted by a restart of this service is aborted: its ports are taken back from
   * the target, so no stale port remains on either host.
   */
  async onApplicationBootstrap(): Promise<void> {
    const stuck = await this.dataSource.query<Array<{ id: string; migrating_to: string }>>(
      'SELECT id, migrating_to FROM dcns WHERE migrating_to IS NOT NULL',
    );
    for (const { id, migrating_to: target } of stuck) {
      try {
        await this.decide(id, async () => ({ type: 'AbortMigration', id, reason: 'interrupted by a restart of the compute manager' }));
        await this.ports.publish(target);
        this.logger.warn({ msg: 'aborted a migration interrupted by a restart', dcnId: id, hostId: target });
      } catch (err) {
        this.logger.error({ msg: 'could not abort an interrupted migration', dcnId: id, error: String((err as Error).message) });
      }
    }
  }

  async create(name: string, hostId: string): Promise<DcnView> {
    const id = randomUUID();
    return this.log.execute(
      DcnAggregate,
      id,
      commandMetadata(),
      async (state, _v, tx) => {
        const hostKnown = (await unknownHostIds(tx.client, [hostId])).length === 0;
        return dcnDecider.decide({ type: 'CreateDcn', id, name, hostId, hostKnown }, state);
      },
      (state) => dcnView(state),
    );
  }

  async attachNic(dcnId: string, dto: AttachNicDto): Promise<NicView & { taskId: string }> {
    const nic: Nic = { id: randomUUID(), portId: randomUUID(), network: { kind: 'logical', id: '' } };
    const { task } = await this.log.execute(
      DcnAggregate,
      dcnId,
      commandMetadata(),
      async (state, _v, tx) => {
        if (state.status !== 'active') throw new NotFoundError('DCN', dcnId);
        nic.network = await this.resolveNetwork(tx.client, dto);
        const hostHasNetwork = await this.hostHolds(tx.client, state.hostId, nic.network);
        return dcnDecider.decide({ type: 'AttachNic', id: dcnId, nic, hostHasNetwork }, state);
      },
      async (state, _v, _recorded, tx) => {
        const revision = await hostPortsRevision(tx.client, state.hostId);
        return { task: await this.tasks.create(tx.client, 'dcn.attach-nic', [state.hostId], { kind: 'ports', targetId: state.hostId, revision }), hostId: state.hostId };
      },
    );
    this.tasks.activate(task);
    await this.ports.publish(Object.keys(task.hosts)[0]);
    return { ...nicView(nic), taskId: task.id };
  }

  async migrate(dcnId: string, targetHostId: string): Promise<DcnView> {
    return this.migrations.observe(() => this.move(dcnId, targetHostId));
  }

  /**
   * Target first, then source: the target realizes the DCN's ports, then the move is recorded and
   * the source drops its own. A target that does not answer in time gets its ports taken back and
   * nothing moves.
   */
  private async move(dcnId: string, targetHostId: string): Promise<DcnView> {
    const started = await this.decide(dcnId, async (state, client) => ({
      type: 'StartMigration',
      id: dcnId,
      targetHostId,
      targetKnown: (await unknownHostIds(client, [targetHostId])).length === 0,
      missingOnTarget: state.status === 'active' ? missingOnTarget(state.nics, await this.holdings(client, targetHostId)) : [],
    }));
    const targetRevision = await this.ports.publish(targetHostId);
    const arrived = await this.tasks.waitForOutcome(targetHostId, 'ports', targetHostId, targetRevision, this.config.MIGRATION_TIMEOUT_MS);
    if (!arrived || arrived.state !== 'applied') {
      await this.decide(dcnId, async () => ({ type: 'AbortMigration', id: dcnId, reason: arrived?.detail ?? 'target did not answer' }));
      await this.ports.publish(targetHostId).catch(() => undefined);
      throw new HostTimeoutError(targetHostId, 'realize the DCN ports');
    }
    const moved = await this.decide(dcnId, async () => ({ type: 'CompleteMigration', id: dcnId }));
    const source = started.hostId;
    const sourceRevision = await this.ports.publish(source);
    const removed = await this.tasks.waitForOutcome(source, 'ports', source, sourceRevision, this.config.MIGRATION_TIMEOUT_MS);
    // The move is recorded: a source that is away drops the ports from its desired state when it returns.
    if (!removed) this.logger.warn({ msg: 'source host did not confirm removing the DCN ports yet', dcnId, hostId: source });
    return dcnView(moved);
  }

  async list(): Promise<DcnView[]> {
    const rows = await this.dataSource.query<Array<{ id: string; name: string; host_id: string; nics: Nic[] }>>(
      'SELECT id, name, host_id, nics FROM dcns ORDER BY created_position',
    );
    return rows.map((r) => ({ id: r.id, name: r.name, hostId: r.host_id, nics: r.nics.map(nicView) }));
  }

  async get(id: string): Promise<DcnView> {
    const rows = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.dataSource.query<Array<{ id: string; name: string; host_id: string; nics: Nic[] }>>(
          'SELECT id, name, host_id, nics FROM dcns WHERE id = $1',
          [id],
        )
      : [];
    if (!rows[0]) throw new NotFoundError('DCN', id);
    return { id: rows[0].id, name: rows[0].name, hostId: rows[0].host_id, nics: rows[0].nics.map(nicView) };
  }

  private decide(dcnId: string, command: (state: DcnState, client: SqlClient) => Promise<DcnCommand>): Promise<DcnState> {
    return this.log.execute(
      DcnAggregate,
      dcnId,
      commandMetadata(),
      async (state, _v, tx) => dcnDecider.decide(await command(state, tx.client), state),
      (state) => state,
    );
  }

  private async resolveNetwork(client: SqlClient, dto: AttachNicDto): Promise<NicNetwork> {
    if (dto.logicalNetworkId) return { kind: 'logical', id: dto.logicalNetworkId };
    const { rows } = await client.query<{ switch_id: string }>('SELECT switch_id FROM port_groups WHERE id = $1', [dto.portGroupId]);
    if (!rows[0]) throw new NotFoundError('port group', dto.portGroupId!);
    return { kind: 'port-group', id: dto.portGroupId!, switchId: rows[0].switch_id };
  }

  private async hostHolds(client: SqlClient, hostId: string, network: NicNetwork): Promise<boolean> {
    const holdings = await this.holdings(client, hostId);
    return network.kind === 'logical' ? holdings.logicalNetworkIds.has(network.id) : holdings.switchIds.has(network.switchId);
  }

  /** What a host holds, by id: the constructs it reported, and the switches it is a member of. */
  private async holdings(client: SqlClient, hostId: string): Promise<{ logicalNetworkIds: Set<string>; switchIds: Set<string> }> {
    const [{ rows: nets }, { rows: switches }] = await Promise.all([
      client.query<{ network_id: string }>('SELECT network_id FROM host_networks WHERE host_id = $1', [hostId]),
      client.query<{ state: SwitchState }>("SELECT state FROM switches WHERE state->'hostIds' ? $1", [hostId]),
    ]);
    return { logicalNetworkIds: new Set(nets.map((n) => n.network_id)), switchIds: new Set(switches.map((s) => s.state.id)) };
  }
}
