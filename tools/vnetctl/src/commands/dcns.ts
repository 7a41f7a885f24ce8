import { Command, Option } from 'commander';
import { action, type Io } from '../context.js';
import { nicBody, restoreTarget, seg } from '../requests.js';
import { dcnColumns, dcnView, listOf, one, snapshotColumns, snapshotView } from '../views.js';
import { asOfOption, examples, waits } from './common.js';

const CM = 'compute-manager';

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
