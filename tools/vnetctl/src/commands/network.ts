import { Command } from 'commander';
import { action, type Io } from '../context.js';
import { ifMatch, integer, list, networkChange, optionalInteger, seg } from '../requests.js';
import {
  learnedNetworkColumns,
  listOf,
  networkColumns,
  networkView,
  one,
  transportNodeColumns,
  transportNodeView,
  zoneColumns,
} from '../views.js';
import { asOfOption, examples } from './common.js';

const NM = 'network-manager';

export function zonesCommand(io: Io): Command {
  const zones = new Command('zones').description('transport zones (network manager)');
  examples(
    zones
      .command('list')
      .description('list the transport zones')
      .action(
        action(io, async (ctx) => {
          ctx.show(await ctx.client(NM).get<any[]>('/transport-zones'), listOf(zoneColumns));
        }),
      ),
    'vnetctl zones list',
  );
  examples(
    zones
      .command('get <zoneId>')
      .description('read a transport zone')
      .addOption(asOfOption())
      .action(
        action(io, async (ctx, id) => {
          ctx.show(await ctx.client(NM).get(`/transport-zones/${seg(id)}`, { asOf: ctx.opts.asOf }), one(zoneColumns));
        }),
      ),
    'vnetctl zones get 6f1c…',
  );
  examples(
    zones
      .command('create <name>')
      .description('create a transport zone')
      .action(
        action(io, async (ctx, name) => {
          const { body } = await ctx.client(NM).request({ method: 'POST', path: '/transport-zones', body: { name } });
          ctx.show(body as any, one(zoneColumns));
        }),
      ),
    'vnetctl zones create overlay',
  );
  examples(
    zones
      .command('delete <zoneId>')
      .description('delete a transport zone (409 ZONE_IN_USE while it has networks)')
      .action(
        action(io, async (ctx, id) => {
          await ctx.client(NM).request({ method: 'DELETE', path: `/transport-zones/${seg(id)}` });
          ctx.show({ deleted: id }, () => `transport zone ${id} deleted`);
        }),
      ),
    'vnetctl zones delete 6f1c…',
  );
  return zones;
}

export function networksCommand(io: Io): Command {
  const nets = new Command('networks').description(
    'logical networks (network manager; --learned: what the compute manager obtained from its hosts)',
  );
  examples(
    nets
      .command('list')
      .description('list the logical networks')
      .option('--learned', "the compute manager's view (learned from hosts) instead of the network manager's")
      .action(
        action(io, async (ctx) => {
          if (ctx.opts.learned)
            ctx.show(await ctx.client('compute-manager').get<any[]>('/logical-networks'), listOf(learnedNetworkColumns));
          else ctx.show(await ctx.client(NM).get<any[]>('/logical-networks'), listOf(networkColumns));
        }),
      ),
    'vnetctl networks list',
    'vnetctl networks list --learned',
  );
  examples(
    nets
      .command('get <networkId>')
      .description('read a logical network, with the hosts that realized it and its ports')
      .addOption(asOfOption())
      .option('--learned', "the compute manager's view instead of the network manager's")
      .action(
        action(io, async (ctx, id) => {
          if (ctx.opts.learned)
            ctx.show(await ctx.client('compute-manager').get(`/logical-networks/${seg(id)}`), one(learnedNetworkColumns));
          else ctx.show(await ctx.client(NM).get(`/logical-networks/${seg(id)}`, { asOf: ctx.opts.asOf }), networkView);
        }),
      ),
    'vnetctl networks get 0b7c…',
    'vnetctl networks get 0b7c… --as-of 42',
  );
  examples(
    nets
      .command('create <name>')
      .description('create a logical network in a transport zone')
      .requiredOption('--zone <zoneId>', 'its transport zone')
      .option('--vni <vni>', 'its VNI (1-16777215; allocated when not given)')
      .option('--mtu <mtu>', 'its MTU (576-9216, default 1500)')
      .action(
        action(io, async (ctx, name) => {
          const body = {
            name,
            transportZoneId: ctx.opts.zone,
            vni: optionalInteger('--vni', ctx.opts.vni),
            mtu: optionalInteger('--mtu', ctx.opts.mtu),
          };
          const { body: created } = await ctx.client(NM).request({ method: 'POST', path: '/logical-networks', body });
          ctx.show(created as any, one(networkColumns.filter((c) => !['realizedOn', 'ports'].includes(c.header))));
        }),
      ),
    'vnetctl networks create web --zone 6f1c… --mtu 9000',
  );
  examples(
    nets
      .command('update <networkId>')
      .description("change a network's name or MTU; every host of its zone receives it")
      .option('--name <name>', 'the new name')
      .option('--mtu <mtu>', 'the new MTU')
      .option('--if-match <revision>', 'refuse (409 VERSION_CONFLICT) unless the network is at this revision')
      .action(
        action(io, async (ctx, id) => {
          const { body } = await ctx.client(NM).request({
            method: 'PATCH',
            path: `/logical-networks/${seg(id)}`,
            body: networkChange(ctx.opts),
            headers: ifMatch(ctx.opts.ifMatch),
          });
          ctx.show(body as any, networkView);
        }),
      ),
    'vnetctl networks update 0b7c… --mtu 9000 --if-match 3',
  );
  examples(
    nets
      .command('delete <networkId>')
      .description('delete a logical network (409 NETWORK_IN_USE while a host has a port on it)')
      .action(
        action(io, async (ctx, id) => {
          await ctx.client(NM).request({ method: 'DELETE', path: `/logical-networks/${seg(id)}` });
          ctx.show({ deleted: id }, () => `logical network ${id} deleted`);
        }),
      ),
    'vnetctl networks delete 0b7c…',
  );
  examples(
    nets
      .command('revert <networkId>')
      .description('return a network to its state at a log position (new events, history kept)')
      .requiredOption('--to-position <position>', 'the log position (see vnetctl events --service network)')
      .action(
        action(io, async (ctx, id) => {
          const { body } = await ctx.client(NM).request({
            method: 'POST',
            path: `/logical-networks/${seg(id)}/revert`,
            body: { toPosition: integer('--to-position', ctx.opts.toPosition) },
          });
          ctx.show(body as any, networkView);
        }),
      ),
    'vnetctl networks revert 0b7c… --to-position 12',
  );
  return nets;
}

export function transportNodesCommand(io: Io): Command {
  const nodes = new Command('transport-nodes').description(
    'hosts as the network manager sees them: their zones and the networks they realized',
  );
  examples(
    nodes
      .command('list')
      .description('list the transport nodes')
      .action(
        action(io, async (ctx) => {
          ctx.show(await ctx.client(NM).get<any[]>('/transport-nodes'), listOf(transportNodeColumns));
        }),
      ),
    'vnetctl transport-nodes list',
  );
  examples(
    nodes
      .command('get <hostId>')
      .description('read a transport node')
      .action(
        action(io, async (ctx, hostId) => {
          ctx.show(await ctx.client(NM).get(`/transport-nodes/${seg(hostId)}`), transportNodeView);
        }),
      ),
    'vnetctl transport-nodes get host-1',
  );
  examples(
    nodes
      .command('add <hostId>')
      .description('add transport zones to a host (added, never replaced); it receives their networks')
      .requiredOption('--zone <zoneId...>', 'the zones (several, or comma-separated)')
      .action(
        action(io, async (ctx, hostId) => {
          const { body } = await ctx.client(NM).request({
            method: 'POST',
            path: '/transport-nodes',
            body: { hostId, transportZoneIds: list(ctx.opts.zone) },
          });
          ctx.show(body as any, transportNodeView);
        }),
      ),
    'vnetctl transport-nodes add host-1 --zone 6f1c…',
  );
  examples(
    nodes
      .command('remove-zone <hostId> <zoneId>')
      .description("remove a zone from a host; its networks' constructs leave that host")
      .action(
        action(io, async (ctx, hostId, zoneId) => {
          await ctx.client(NM).request({ method: 'DELETE', path: `/transport-nodes/${seg(hostId)}/zones/${seg(zoneId)}` });
          ctx.show({ hostId, removedZone: zoneId }, () => `zone ${zoneId} removed from ${hostId}`);
        }),
      ),
    'vnetctl transport-nodes remove-zone host-1 6f1c…',
  );
  return nodes;
}
