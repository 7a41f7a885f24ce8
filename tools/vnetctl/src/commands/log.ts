import { Command, Option } from 'commander';
import { action, type Ctx, type Io } from '../context.js';
import { TaskNotSucceeded } from '../errors.js';
import { eventsQuery, integer, managerOf } from '../requests.js';
import { RebuildProgress } from '../progress-view.js';
import { type RebuildDone, rebuildLine, type RebuildView, rebuildViewOf, waitForTask } from '../task-progress.js';
import { eventColumns, listOf } from '../views.js';
import { examples } from './common.js';

type Manager = 'network-manager' | 'compute-manager';

export function eventsCommand(io: Io): Command {
  const cmd = new Command('events')
    .description("a manager's event log in global order, a page at a time, with the audit filters")
    .addOption(new Option('-s, --service <manager>', 'whose log: network or compute').default('compute'))
    .option('--after <position>', 'events after this position (the "next" of a page)')
    .option('--limit <n>', 'at most this many per page (1-1000, default 100)')
    .option('--stream-id <id>', "only this object's events (a switch's, DCN's, network's, host's id)")
    .option('--type <type>', 'only events of this type')
    .option('--correlation-id <id>', 'only events caused under this correlation id')
    .option('--actor <name>', 'only events recorded for this actor (a token name, or system)')
    .option('--from <time>', 'only events recorded at or after this ISO 8601 time')
    .option('--to <time>', 'only events recorded at or before this ISO 8601 time')
    .option('--all', 'follow "next" to the end of the log (every page)')
    .action(
      action(io, async (ctx) => {
        const client = ctx.client(managerOf(ctx.opts.service));
        const query = eventsQuery(ctx.opts);
        let page = await client.get<{ events: any[]; next: number | null }>('/events', query);
        const events = [...page.events];
        while (ctx.opts.all && page.next !== null && page.events.length) {
          page = await client.get('/events', { ...query, after: page.next });
          events.push(...page.events);
        }
        const answer = ctx.opts.all ? { events, next: page.next } : page;
        ctx.show(
          answer,
          (p) => `${listOf(eventColumns)(p.events)}${p.next !== null ? `\nnext: ${p.next} (--after ${p.next})` : ''}`,
        );
      }),
    );
  return examples(
    cmd,
    'vnetctl events --service compute --limit 20',
    'vnetctl events --service network --type LogicalNetworkCreated',
    'vnetctl events --stream-id 0b7c… --actor alice --from 2026-12-01T00:00:00Z',
    'vnetctl events --correlation-id 3f9a… --all --json',
  );
}

export function rebuildCommand(io: Io): Command {
  const cmd = new Command('rebuild')
    .description("drop a manager's read models and replay its log into them (both managers unless --service says one)")
    .addOption(new Option('-s, --service <manager>', 'network, compute or both').default('both'))
    .addOption(new Option('--wait-timeout <seconds>', 'how long to follow a rebuild before giving up (exit 3)').default('600'))
    .action(
      action(io, async (ctx) => {
        const managers: Manager[] =
          ctx.opts.service === 'both' ? ['network-manager', 'compute-manager'] : [managerOf(ctx.opts.service)];
        const results: Array<RebuildView & { service: string }> = [];
        for (const m of managers) results.push({ service: m, ...(await rebuild(ctx, m)) });
        if (ctx.json) ctx.printJson(results.length === 1 ? results[0] : results);
        const failed = results.find((r) => r.state !== 'succeeded');
        if (failed) throw new TaskNotSucceeded(failed.id, failed.state === 'running' ? 'still running' : failed.state);
      }),
    );
  return examples(cmd, 'vnetctl rebuild', 'vnetctl rebuild --service compute');
}

/** One rebuild: the 200 of one that ended quickly, or the 202's rebuild followed with its bar. */
async function rebuild(ctx: Ctx, service: Manager): Promise<RebuildView> {
  const client = ctx.client(service);
  const { body } = await client.request<RebuildDone | RebuildView>({ method: 'POST', path: '/admin/rebuild' });
  const out = ctx.progressOut();
  const bar = out ? new RebuildProgress(out, service) : null;
  let view = rebuildViewOf(body);
  try {
    bar?.update(view);
    if (view.state === 'running') {
      const id = view.id;
      const waited = await waitForTask(() => client.get<RebuildView>(`/admin/rebuilds/${encodeURIComponent(id)}`), {
        intervalMs: 250,
        timeoutMs: integer('--wait-timeout', ctx.opts.waitTimeout) * 1000,
        onUpdate: (r) => bar?.update(r),
      });
      view = waited.task;
    }
  } finally {
    bar?.stop();
  }
  if (!ctx.json && ctx.io.tty) ctx.print(rebuildLine(service, view));
  return view;
}
