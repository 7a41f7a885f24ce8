import { Inject, Injectable } from '@nestjs/common';
import { EventLog, LOG_START } from '@vnet/events';
import { DcnsService } from '../dcns/dcns.service.js';
import { Liveness } from '../heartbeats/liveness.js';
import { HostsService } from '../hosts/hosts.service.js';
import { LogicalNetworksService } from '../logical-networks/logical-networks.service.js';
import { SwitchesService } from '../switches/switches.service.js';
import { TasksService } from '../tasks/tasks.service.js';
import { ACTIVITY_TYPES, activityOf } from './activity.js';
import { ACTIVITY_KEPT, type ActivityEntry, type ConnectionState, type Topology, taskEntry } from './topology.js';

/** How many of the latest tasks the topology shows. */
export const RECENT_TASKS = 20;
/** How far back the activity of a fresh process reaches into the log. */
const ACTIVITY_LOOKBACK_MS = 24 * 3600_000;

/** Reads the topology from the read models, the tasks and the hosts' liveness. */
@Injectable()
export class TopologySource {
  constructor(
    private readonly hosts: HostsService,
    private readonly switches: SwitchesService,
    private readonly networks: LogicalNetworksService,
    private readonly dcns: DcnsService,
    private readonly tasks: TasksService,
    private readonly liveness: Liveness,
    @Inject(EventLog) private readonly log: EventLog,
  ) {}

  /** The topology now, with `activity` as the feed has seen it. */
  async read(activity: ActivityEntry[]): Promise<Topology> {
    const [hosts, switches, networks, dcns, tasks] = await Promise.all([
      this.hosts.list(),
      this.switches.list(),
      this.networks.list(),
      this.dcns.list(),
      this.tasks.recent(RECENT_TASKS),
    ]);
    const memberOf = new Map<string, string[]>();
    for (const s of switches) for (const h of s.hostIds) memberOf.set(h, [...(memberOf.get(h) ?? []), s.id]);
    return {
      hosts: new Map(
        hosts.map((h) => [
          h.hostId,
          { id: h.hostId, connectionState: h.connectionState, logicalNetworks: h.logicalNetworks, switchIds: memberOf.get(h.hostId) ?? [] },
        ]),
      ),
      switches: new Map(
        switches.map((s) => [
          s.id,
          {
            id: s.id,
            name: s.name,
            revision: s.revision,
            hostIds: s.hostIds,
            portGroups: s.portGroups.map((pg) => ({ id: pg.id, name: pg.name, vlanId: pg.vlanId, management: pg.management })),
          },
        ]),
      ),
      networks: new Map(networks.map((n) => [n.id, { id: n.id, name: n.name, vni: n.vni, hostCount: n.hosts.length }])),
      dcns: new Map(
        dcns.map((d) => [
          d.id,
          {
            id: d.id,
            name: d.name,
            hostId: d.hostId,
            ports: d.nics.map((n) => ({ nicId: n.id, portId: n.portId, networkKind: n.network.kind, networkId: n.network.id })),
          },
        ]),
      ),
      tasks: new Map(tasks.map((t) => [t.id, taskEntry(t)])),
      activity,
    };
  }

  /** The hosts' connection states now, by liveness alone (no query): read every second. */
  connectionState(hostId: string, now: number): ConnectionState {
    return this.liveness.state(hostId, now);
  }

  /** The rollbacks and repairs of the last day, oldest first, as a fresh process starts its activity. */
  async recentActivity(now: Date): Promise<ActivityEntry[]> {
    const from = new Date(now.getTime() - ACTIVITY_LOOKBACK_MS);
    const found: ActivityEntry[] = [];
    for (const type of ACTIVITY_TYPES) {
      let cursor = LOG_START;
      for (;;) {
        const page = await this.log.store.readAll(cursor, 500, { filter: { type, from } });
        for (const e of page.events) {
          const entry = activityOf(e);
          if (entry) found.push(entry);
        }
        if (page.events.length < 500) break;
        cursor = page.cursor;
      }
    }
    return found.sort((a, b) => a.at.localeCompare(b.at)).slice(-ACTIVITY_KEPT);
  }
}
