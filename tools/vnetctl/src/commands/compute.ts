import { Command, Option } from 'commander';
import { action, type Ctx, type Io, taskDetails } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { formatApiError } from '../format.js';
import {
  ifMatch,
  integer,
  list,
  newPortGroupBody,
  nicBody,
  opaqueValueBody,
  optionalInteger,
  portGroupChange,
  restoreTarget,
  seg,
} from '../requests.js';
import type { TaskView } from '../task-progress.js';
import {
  computeHostColumns,
  dcnColumns,
  dcnView,
  extensionColumns,
  hostEverywhereView,
  listOf,
  one,
  opaqueColumns,
  portGroupColumns,
  snapshotColumns,
  snapshotView,
  switchColumns,
  switchView,
} from '../views.js';
import { asOfOption, examples, waits } from './common.js';

const CM = 'compute-manager';

export function hostsCommand(io: Io): Command {
  const hosts = new Command('hosts').description('hosts as the compute manager sees them (see also: transport-nodes, agent)');
  examples(
    hosts
      .command('list')
      .description('list the hosts: connection state, last seen')
      .action(
        action(io, async (ctx) => {
          ctx.show(await ctx.client(CM).get<any[]>('/hosts'), listOf(computeHostColumns));
        }),
      ),
    'vnetctl hosts list',
  );
  examples(
    hosts
      .command('get <hostId>')
      .description('read a host; --everywhere: as the compute manager, the network manager and the host agent see it')
      .option('--everywhere', 'ask all three services')
      .action(
        action(io, async (ctx, hostId) => {
          if (!ctx.opts.everywhere) {
            ctx.show(await ctx.client(CM).get(`/hosts/${seg(hostId)}`), one(computeHostColumns));
            return;
          }
          // One service's error does not hide what the others know.
          const ask = (service: 'compute-manager' | 'network-manager' | 'host-agent', path: string) =>
            ctx
              .client(service)
              .get<any>(path)
              .catch((err: unknown) => {
                if (err instanceof ApiError) return ctx.json ? { error: err.body } : formatApiError(err);
                throw err;
              });
          const [compute, network, agent] = await Promise.all([
            ask(CM, `/hosts/${seg(hostId)}`),
            ask('network-manager', `/transport-nodes/${seg(hostId)}`),
            ask('host-agent', `/hosts/${seg(hostId)}`),
          ]);
          ctx.show({ compute, network, agent }, hostEverywhereView);
        }),
      ),
    'vnetctl hosts get host-1',
    'vnetctl hosts get host-1 --everywhere',
  );
  examples(
    hosts
      .command('add <hostId>')
      .description('make a host known to the compute manager')
      .action(
        action(io, async (ctx, hostId) => {
          const { body } = await ctx.client(CM).request({ method: 'POST', path: '/hosts', body: { hostId } });
          ctx.show(body as any, one(computeHostColumns));
        }),
      ),
    'vnetctl hosts add host-5',
  );
  examples(
    hosts
      .command('revocations <hostId>')
      .description("the host's revoked NATS credentials")
      .action(
        action(io, async (ctx, hostId) => {
          ctx.show(await ctx.client(CM).get<any[]>(`/hosts/${seg(hostId)}/credentials/revocations`), (rows) =>
            listOf([
              { header: 'userKey', value: (r) => r.userKey },
              { header: 'revokedAt', value: (r) => r.revokedAt },
            ])(rows),
          );
        }),
      ),
    'vnetctl hosts revocations host-1',
  );
  return hosts;
}

export function switchesCommand(io: Io): Command {
  const switches = new Command('switches').description('distributed switches (compute manager)');
  examples(
    switches
      .command('list')
      .description('list the switches')
      .action(
        action(io, async (ctx) => {
          ctx.show(await ctx.client(CM).get<any[]>('/switches'), listOf(switchColumns));
        }),
      ),
    'vnetctl switches list',
  );
  examples(
    switches
      .command('get <switchId>')
      .description('read a switch and its port groups')
      .addOption(asOfOption())
      .action(
        action(io, async (ctx, id) => {
          ctx.show(await ctx.client(CM).get(`/switches/${seg(id)}`, { asOf: ctx.opts.asOf }), switchView);
        }),
      ),
    'vnetctl switches get 0b7c…',
    'vnetctl switches get 0b7c… --as-of 2026-12-01T10:00:00Z',
  );
  examples(
    waits(
      switches
        .command('create <name>')
        .description('create a switch and push it to its hosts')
        .requiredOption('--hosts <hostIds...>', 'its member hosts (several, or comma-separated)')
        .option(
          '--rollback-timeout <ms>',
          'how long a host waits for a management round trip before rolling back (1000-600000, default 30000)',
        )
        .option('--mtu <mtu>', 'its MTU'),
    ).action(
      action(io, async (ctx, name) => {
        const body = {
          name,
          hostIds: list(ctx.opts.hosts),
          rollbackTimeoutMs: optionalInteger('--rollback-timeout', ctx.opts.rollbackTimeout),
          mtu: optionalInteger('--mtu', ctx.opts.mtu),
        };
        const { body: created } = await ctx.client(CM).request<any>({ method: 'POST', path: '/switches', body });
        await ctx.followTask(
          created,
          `switch ${created.id} (${created.name}) created on ${created.hostIds.join(', ') || 'no host'}`,
        );
      }),
    ),
    'vnetctl switches create dvs-1 --hosts host-1,host-2',
  );
  examples(
    waits(
      switches.command('add-host <switchId> <hostId>').description("add a host to a switch; it converges to the switch's state"),
    ).action(
      action(io, async (ctx, id, hostId) => {
        const { body } = await ctx
          .client(CM)
          .request<any>({ method: 'POST', path: `/switches/${seg(id)}/hosts`, body: { hostId } });
        await ctx.followTask(body, `${hostId} joins switch ${id}`);
      }),
    ),
    'vnetctl switches add-host 0b7c… host-3',
  );
  examples(
    waits(
      switches
        .command('revert <switchId>')
        .description('return a switch to its state at a log position and push it (history kept)')
        .requiredOption('--to-position <position>', 'the log position (see vnetctl events --stream-id <switchId>)'),
    ).action(
      action(io, async (ctx, id) => {
        const { body } = await ctx.client(CM).request<any>({
          method: 'POST',
          path: `/switches/${seg(id)}/revert`,
          body: { toPosition: integer('--to-position', ctx.opts.toPosition) },
        });
        await ctx.followTask(body, `switch ${id} reverted to position ${ctx.opts.toPosition}: revision ${body.revision}`);
      }),
    ),
    'vnetctl switches revert 0b7c… --to-position 12',
  );
  return switches;
}

export function portGroupsCommand(io: Io): Command {
  const pgs = new Command('port-groups').description("a switch's port groups (compute manager)");
  examples(
    pgs
      .command('list <switchId>')
      .description("list a switch's port groups")
      .action(
        action(io, async (ctx, id) => {
          const sw = await ctx.client(CM).get<any>(`/switches/${seg(id)}`);
          ctx.show(sw.portGroups, listOf(portGroupColumns));
        }),
      ),
    'vnetctl port-groups list 0b7c…',
  );
  const policyHelp = 'the policy as JSON: {"security":{…},"teaming":{…},"shaping":{…}}, each part given replaces that part';
  examples(
    waits(
      pgs
        .command('create <switchId> <name>')
        .description('add a port group and push the switch to its hosts')
        .requiredOption('--vlan <vlanId>', 'its VLAN (0-4094)')
        .option('--management', "it carries the hosts' management ports")
        .option('--policy <json>', policyHelp),
    ).action(
      action(io, async (ctx, id, name) => {
        const { body } = await ctx
          .client(CM)
          .request<any>({ method: 'POST', path: `/switches/${seg(id)}/port-groups`, body: newPortGroupBody(name, ctx.opts) });
        await ctx.followTask(body, `port group ${body.portGroupId} (${name}) added to switch ${id}`);
      }),
    ),
    'vnetctl port-groups create 0b7c… web --vlan 100',
    `vnetctl port-groups create 0b7c… mgmt --vlan 10 --management --policy '{"teaming":{"policy":"failover","notifySwitches":true,"failback":true}}'`,
  );
  examples(
    waits(
      pgs
        .command('update <switchId> <portGroupId>')
        .description("change a port group's VLAN or policy; the switch's final state goes to every host in parallel")
        .option('--vlan <vlanId>', 'the new VLAN (0-4094)')
        .option('--policy <json>', policyHelp)
        .option('--no-rollback', 'no safety net: a host that loses its management link keeps the change')
        .option('--if-match <revision>', 'refuse (409 VERSION_CONFLICT) unless the switch is at this revision'),
    ).action(
      action(io, async (ctx, id, pgId) => {
        const { body } = await ctx.client(CM).request<any>({
          method: 'PATCH',
          path: `/switches/${seg(id)}/port-groups/${seg(pgId)}`,
          query: { rollback: ctx.opts.rollback === false ? 'false' : undefined },
          body: portGroupChange(ctx.opts),
          headers: ifMatch(ctx.opts.ifMatch),
        });
        await ctx.followTask(body, `port group ${pgId} of switch ${id}: revision ${body.revision}`);
      }),
    ),
    'vnetctl port-groups update 0b7c… 9d2e… --vlan 200',
    'vnetctl port-groups update 0b7c… 9d2e… --vlan 200 --no-wait',
  );
  return pgs;
}

export function dcnsCommand(io: Io): Command {
  const dcns = new Command('dcns').description('DCNs (compute manager): their NICs, and migration between hosts');
  examples(
    dcns
      .command('list')
      .description('list the DCNs')
      .action(
        action(io, async (ctx) => {
          ctx.show(await ctx.client(CM).get<any[]>('/dcns'), listOf(dcnColumns));
        }),
      ),
    'vnetctl dcns list',
  );
  examples(
    dcns
      .command('get <dcnId>')
      .description('read a DCN and its NICs')
      .addOption(asOfOption())
      .action(
        action(io, async (ctx, id) => {
          ctx.show(await ctx.client(CM).get(`/dcns/${seg(id)}`, { asOf: ctx.opts.asOf }), dcnView);
        }),
      ),
    'vnetctl dcns get 4a11…',
  );
  examples(
    dcns
      .command('create <name>')
      .description('create a DCN on a host')
      .requiredOption('--host <hostId>', 'its host')
      .action(
        action(io, async (ctx, name) => {
          const { body } = await ctx.client(CM).request({ method: 'POST', path: '/dcns', body: { name, hostId: ctx.opts.host } });
          ctx.show(body as any, dcnView);
        }),
      ),
    'vnetctl dcns create vm-1 --host host-1',
  );
  examples(
    waits(
      dcns
        .command('attach-nic <dcnId>')
        .description("attach a NIC to a logical network or a port group (409 NETWORK_NOT_ON_HOST when the DCN's host lacks it)")
        .option('--network <logicalNetworkId>', 'a logical network')
        .option('--port-group <portGroupId>', 'a port group'),
    ).action(
      action(io, async (ctx, id) => {
        const { body } = await ctx
          .client(CM)
          .request<any>({ method: 'POST', path: `/dcns/${seg(id)}/nics`, body: nicBody(ctx.opts) });
        await ctx.followTask(body, `nic ${body.id} attached to ${body.network.kind} ${body.network.id}: port ${body.portId}`);
      }),
    ),
    'vnetctl dcns attach-nic 4a11… --network 0b7c…',
    'vnetctl dcns attach-nic 4a11… --port-group 9d2e…',
  );
  examples(
    dcns
      .command('migrate <dcnId>')
      .description('move a DCN to another host: the target realizes its ports first, then the source removes its own')
      .requiredOption('--to <hostId>', 'the target host')
      .action(
        action(io, async (ctx, id) => {
          if (!ctx.json) ctx.note(`migrating ${id} to ${ctx.opts.to} …`);
          const { body } = await ctx
            .client(CM)
            .request({ method: 'POST', path: `/dcns/${seg(id)}/migrate`, body: { targetHostId: ctx.opts.to } });
          ctx.show(body as any, (d) => `DCN ${id} now on ${d.hostId}\n${dcnView(d)}`);
        }),
      ),
    'vnetctl dcns migrate 4a11… --to host-2',
  );
  return dcns;
}

export function snapshotsCommand(io: Io): Command {
  const snaps = new Command('snapshots').description("switch snapshots, kept outside the compute manager's database");
  examples(
    snaps
      .command('list')
      .description('list the snapshots')
      .action(
        action(io, async (ctx) => {
          ctx.show(await ctx.client(CM).get<any[]>('/snapshots'), listOf(snapshotColumns));
        }),
      ),
    'vnetctl snapshots list',
  );
  examples(
    snaps
      .command('get <snapshotId>')
      .description('read a snapshot and the configuration it holds')
      .action(
        action(io, async (ctx, id) => {
          ctx.show(await ctx.client(CM).get(`/snapshots/${seg(id)}`), snapshotView);
        }),
      ),
    'vnetctl snapshots get 77aa…',
  );
  examples(
    snaps
      .command('create <switchId>')
      .description("snapshot a switch's whole configuration")
      .action(
        action(io, async (ctx, id) => {
          const { body } = await ctx.client(CM).request({ method: 'POST', path: `/switches/${seg(id)}/snapshots` });
          ctx.show(body as any, one(snapshotColumns));
        }),
      ),
    'vnetctl snapshots create 0b7c…',
  );
  examples(
    waits(
      snaps
        .command('restore <snapshotId>')
        .description('restore a snapshot onto its own switch, a new one or another existing one; the hosts converge')
        .addOption(
          new Option('--mode <mode>', 'same: its own switch (and member hosts); new: a new switch; existing: another switch')
            .choices(['same', 'new', 'existing'])
            .default('same'),
        )
        .option('--name <name>', "the new switch's name (--mode new)")
        .option('--hosts <hostIds...>', "the new switch's hosts (--mode new; default the snapshot's)")
        .option('--switch <switchId>', 'the switch to restore onto (--mode existing; it keeps its hosts)'),
    ).action(
      action(io, async (ctx, id) => {
        const { body } = await ctx
          .client(CM)
          .request<any>({ method: 'POST', path: `/snapshots/${seg(id)}/restore`, body: { target: restoreTarget(ctx.opts) } });
        await ctx.followTask(body, `snapshot ${id} restoring onto switch ${body.switchId}`);
      }),
    ),
    'vnetctl snapshots restore 77aa… --mode same',
    'vnetctl snapshots restore 77aa… --mode new --name dvs-copy --hosts host-3,host-4',
    'vnetctl snapshots restore 77aa… --mode existing --switch 5c3d…',
  );
  return snaps;
}

export function extensionsCommand(io: Io): Command {
  const ext = new Command('extensions').description('management extensions and the namespaces they own');
  examples(
    ext
      .command('register <key> <namespaces...>')
      .description('register an extension (its dotted key) and the namespaces it owns (409 NAMESPACE_TAKEN)')
      .action(
        action(io, async (ctx, key, namespaces) => {
          const { body } = await ctx
            .client(CM)
            .request({ method: 'POST', path: '/extensions', body: { key, namespaces: list(namespaces) } });
          ctx.show(body as any, one(extensionColumns));
        }),
      ),
    'vnetctl extensions register com.example.qos com.example.qos',
  );
  return ext;
}

const ENTITY_TYPES = ['switch', 'port-group', 'port', 'host'];

export function opaqueCommand(io: Io): Command {
  const opaque = new Command('opaque').description(
    "extensions' opaque data on switches, port groups, ports and hosts (passed through unread)",
  );
  const entityType = (t: string) => {
    if (!ENTITY_TYPES.includes(t)) throw new UsageError(`the entity type must be one of ${ENTITY_TYPES.join(', ')}, not "${t}"`);
    return t;
  };
  examples(
    opaque
      .command('get <entityType> <entityId>')
      .description("an entity's entries: its own, inherited ones (switch → port group → port), and those host modules sent up")
      .option('--namespace <namespace>', 'only this namespace')
      .action(
        action(io, async (ctx, type, id) => {
          entityType(type);
          const rows = await ctx.client(CM).get<any[]>(`/opaque-data/${seg(type)}/${seg(id)}`, { namespace: ctx.opts.namespace });
          ctx.show(rows, listOf(opaqueColumns));
        }),
      ),
    'vnetctl opaque get port-group 9d2e…',
    'vnetctl opaque get switch 0b7c… --namespace com.example.qos',
  );
  examples(
    opaque
      .command('set <entityType> <entityId> <namespace> <key> <json>')
      .description("set an extension's entry (the value is any JSON; a string needs its quotes)")
      .requiredOption('--extension-key <key>', 'the extension that owns the namespace')
      .action(
        action(io, async (ctx, type, id, ns, key, value) => {
          entityType(type);
          const { body } = await ctx.client(CM).request({
            method: 'PUT',
            path: `/opaque-data/${seg(type)}/${seg(id)}/${seg(ns)}/${seg(key)}`,
            rawBody: opaqueValueBody(value),
            headers: { 'x-extension-key': ctx.opts.extensionKey },
          });
          ctx.show(body as any, (b) => `${ns}/${key} set on ${type} ${id}: ${JSON.stringify(b?.value ?? JSON.parse(value))}`);
        }),
      ),
    `vnetctl opaque set switch 0b7c… com.example.qos limits '{"gold":1000}' --extension-key com.example.qos`,
  );
  examples(
    opaque
      .command('delete <entityType> <entityId> <namespace> <key>')
      .description("delete an extension's entry (an inherited one shows again)")
      .requiredOption('--extension-key <key>', 'the extension that owns the namespace')
      .action(
        action(io, async (ctx, type, id, ns, key) => {
          await ctx.client(CM).request({
            method: 'DELETE',
            path: `/opaque-data/${seg(type)}/${seg(id)}/${seg(ns)}/${seg(key)}`,
            headers: { 'x-extension-key': ctx.opts.extensionKey },
          });
          ctx.show({ deleted: `${ns}/${key}`, entity: { type, id } }, () => `${ns}/${key} deleted from ${type} ${id}`);
        }),
      ),
    'vnetctl opaque delete switch 0b7c… com.example.qos limits --extension-key com.example.qos',
  );
  return opaque;
}

export function tasksCommand(io: Io): Command {
  const tasks = new Command('tasks').description("the compute manager's tasks: each host's outcome of a change");
  examples(
    tasks
      .command('get <taskId>')
      .description('read a task; --wait follows it to its end with the per-host bar')
      .option('--wait', 'follow it until it ends')
      .addOption(new Option('--wait-timeout <seconds>', 'how long to follow it').default('300'))
      .action(
        action(io, async (ctx, id) => {
          if (!ctx.opts.wait) {
            ctx.show(await ctx.client(CM).get<TaskView>(`/tasks/${seg(id)}`), taskDetails);
            return;
          }
          await follow(ctx, id);
        }),
      ),
    'vnetctl tasks get 1f2e…',
    'vnetctl tasks get 1f2e… --wait',
  );
  return tasks;
}

async function follow(ctx: Ctx, id: string): Promise<void> {
  await ctx.followTask({ taskId: id }, `following task ${id}`);
}
