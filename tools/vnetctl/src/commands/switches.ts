import { Command } from 'commander';
import { action, type Io } from '../context.js';
import { ifMatch, integer, list, newPortGroupBody, optionalInteger, portGroupChange, seg } from '../requests.js';
import { listOf, portGroupColumns, switchColumns, switchView } from '../views.js';
import { asOfOption, examples, waits } from './common.js';

const CM = 'compute-manager';

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
