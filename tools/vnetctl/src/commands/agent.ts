import { Command } from 'commander';
import { action, type Io } from '../context.js';
import { allowedVlans, integer, moduleDataBody, seg } from '../requests.js';
import {
  agentHostColumns,
  agentHostView,
  constructColumns,
  journalColumns,
  listOf,
  moduleDataColumns,
  uplinkText,
} from '../views.js';
import { examples } from './common.js';

const HA = 'host-agent';

/** The host agent: each simulated host's own state, its uplink, its local console and its modules. */
export function agentCommand(io: Io): Command {
  const agent = new Command('agent').description(
    "the host agent: what each host runs, its uplink, its console's management repair, its modules",
  );
  examples(
    agent
      .command('list')
      .description('list the hosts the host agent serves')
      .action(
        action(io, async (ctx) => {
          ctx.show(await ctx.client(HA).get<any[]>('/hosts'), listOf(agentHostColumns));
        }),
      ),
    'vnetctl agent list',
  );
  examples(
    agent
      .command('get <hostId>')
      .description('what a host runs: its compute switches and ports, its network switch, its uplink, a pending rollback')
      .action(
        action(io, async (ctx, hostId) => {
          ctx.show(await ctx.client(HA).get(`/hosts/${seg(hostId)}`), agentHostView);
        }),
      ),
    'vnetctl agent get host-1',
  );
  examples(
    agent
      .command('add <hostId>')
      .description('add a simulated host')
      .action(
        action(io, async (ctx, hostId) => {
          const { body } = await ctx.client(HA).request({ method: 'POST', path: '/hosts', body: { hostId } });
          ctx.show(body as any, agentHostView);
        }),
      ),
    'vnetctl agent add host-5',
  );
  examples(
    agent
      .command('networks <hostId>')
      .description('the read-only logical network constructs a host holds')
      .action(
        action(io, async (ctx, hostId) => {
          ctx.show(await ctx.client(HA).get<any[]>(`/hosts/${seg(hostId)}/logical-networks`), listOf(constructColumns));
        }),
      ),
    'vnetctl agent networks host-1',
  );
  examples(
    agent
      .command('journal <hostId>')
      .description("the host's own journal: what it applied, rolled back and repaired")
      .option('--after <position>', 'entries after this position (a "next" value)')
      .option('--limit <n>', 'at most this many (1-1000, default 100)')
      .action(
        action(io, async (ctx, hostId) => {
          const page = await ctx
            .client(HA)
            .get<any>(`/hosts/${seg(hostId)}/events`, { after: ctx.opts.after, limit: ctx.opts.limit });
          ctx.show(
            page,
            (p) => `${listOf(journalColumns)(p.events)}${p.next !== null ? `\nnext: ${p.next} (--after ${p.next})` : ''}`,
          );
        }),
      ),
    'vnetctl agent journal host-1 --limit 20',
  );
  examples(
    agent
      .command('uplink <hostId> <vlans>')
      .description(
        "set the physical switch port's allowed VLANs: a list (0,100) or all; management flows only on an allowed VLAN",
      )
      .action(
        action(io, async (ctx, hostId, vlans) => {
          const { body } = await ctx
            .client(HA)
            .request<any>({ method: 'PUT', path: `/hosts/${seg(hostId)}/uplink`, body: { allowedVlans: allowedVlans(vlans) } });
          ctx.show(body, (b) => `uplink of ${hostId} lets through: ${uplinkText(b.allowedVlans)}`);
        }),
      ),
    'vnetctl agent uplink host-1 0,100',
    'vnetctl agent uplink host-1 all',
  );
  examples(
    agent
      .command('restore-management <hostId>')
      .description("the local console's repair: clone the management port onto a working VLAN and move management traffic to it")
      .requiredOption('--vlan <vlanId>', 'a VLAN the uplink lets through')
      .action(
        action(io, async (ctx, hostId) => {
          const { body } = await ctx.client(HA).request<any>({
            method: 'POST',
            path: `/hosts/${seg(hostId)}/management/restore`,
            body: { vlanId: integer('--vlan', ctx.opts.vlan) },
          });
          ctx.show(body, (b) => `management of ${hostId} moves to clone port ${b.clonePortId} on VLAN ${ctx.opts.vlan}`);
        }),
      ),
    'vnetctl agent restore-management host-1 --vlan 0',
  );
  const modules = agent.command('modules').description("a host's modules: their namespaces and opaque data");
  examples(
    modules
      .command('register <hostId> <namespace>')
      .description('a host module registers its namespace on a host')
      .action(
        action(io, async (ctx, hostId, ns) => {
          const { body } = await ctx
            .client(HA)
            .request<any>({ method: 'POST', path: `/hosts/${seg(hostId)}/modules`, body: { namespace: ns } });
          ctx.show(body, () => `namespace ${ns} registered on ${hostId}`);
        }),
      ),
    'vnetctl agent modules register host-1 com.example.qos',
  );
  examples(
    modules
      .command('data <hostId> <namespace>')
      .description('the effective opaque data of a namespace on a host')
      .action(
        action(io, async (ctx, hostId, ns) => {
          ctx.show(await ctx.client(HA).get<any[]>(`/hosts/${seg(hostId)}/modules/${seg(ns)}/data`), listOf(moduleDataColumns));
        }),
      ),
    'vnetctl agent modules data host-1 com.example.qos',
  );
  examples(
    modules
      .command('send <hostId> <namespace>')
      .description('a module sends data up to the compute manager (kept by the host until delivered)')
      .requiredOption('--entity <type:id>', 'the entity it is about, such as host:host-1')
      .requiredOption('--key <key>', 'its key')
      .requiredOption('--value <json>', 'its value, any JSON (a string needs its quotes)')
      .action(
        action(io, async (ctx, hostId, ns) => {
          const { body } = await ctx.client(HA).request<any>({
            method: 'POST',
            path: `/hosts/${seg(hostId)}/modules/${seg(ns)}/data`,
            rawBody: moduleDataBody(ctx.opts.entity, ctx.opts.key, ctx.opts.value),
          });
          ctx.show(body, () => `${ns}/${ctx.opts.key} accepted by ${hostId}`);
        }),
      ),
    `vnetctl agent modules send host-1 com.example.qos --entity host:host-1 --key load --value '{"cpu":0.4}'`,
  );
  return agent;
}
