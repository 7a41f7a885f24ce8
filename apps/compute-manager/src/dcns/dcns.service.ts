import { Inject, Injectable } from '@nestjs/common';
import { afterCommit, commandMetadata, EventLog, NotFoundError, parseAsOf } from '@vnet/events';
import { randomUUID } from 'node:crypto';
import { HostPortsPublisher } from '../desired-state/host-ports.publisher.js';
import { unknownHostIds } from '../hosts/host.read-model.js';
import { TasksService } from '../tasks/tasks.service.js';
import { DcnAggregate, dcnDecider } from './dcn.decider.js';
import { DcnReadModel } from './dcn.read-model.js';
import { NicAttacher } from './nic-attacher.js';
import { dcnView, nicView } from './dcn.view.js';
import type { AttachNicDto, DcnView, NicView } from './dto/dcn.dto.js';

/** DCNs and their NICs: created on a known host, attached by network id to what that host holds. */
@Injectable()
export class DcnsService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dcns: DcnReadModel,
    private readonly attacher: NicAttacher,
    private readonly tasks: TasksService,
    private readonly ports: HostPortsPublisher,
  ) {}

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
    // Decided and recorded with the attaches that arrive meanwhile, in one transaction; its task
    // tracked, its host's ports put after the commit (once for the batch's attaches on that host).
    const { nic, task, published } = await this.attacher.attach({ dcnId, dto, metadata: commandMetadata() });
    // Committed: the log's path (dcns.handlers) publishes it again should this fail, NATS being down.
    await afterCommit('host ports', () => published);
    return { ...nicView(nic), taskId: task.id };
  }

  async list(): Promise<DcnView[]> {
    return (await this.dcns.list()).map(dcnView);
  }

  /** The DCN now, or at a point of the log (`asOf`), folded from its stream: 404 when it did not exist yet. */
  async get(id: string, asOf?: string): Promise<DcnView> {
    if (asOf !== undefined) {
      const { state } = await this.log.load(DcnAggregate, id, parseAsOf(asOf));
      if (state.status !== 'active') throw new NotFoundError('DCN', id);
      return dcnView(state);
    }
    const row = await this.dcns.find(id);
    if (!row) throw new NotFoundError('DCN', id);
    return dcnView(row);
  }
}
