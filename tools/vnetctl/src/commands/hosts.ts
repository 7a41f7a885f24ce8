import { Command, Option } from 'commander';
import { action, type Ctx, type Io, taskDetails } from '../context.js';
import { ApiError } from '../errors.js';
import { formatApiError } from '../format.js';
import { seg } from '../requests.js';
import type { TaskView } from '../task-progress.js';
import { computeHostColumns, hostEverywhereView, listOf, one } from '../views.js';
import { examples } from './common.js';

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
