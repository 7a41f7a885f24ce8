import { Command, Option } from 'commander';
import { PRECEDENCE_HELP, SERVICE_NAMES } from './config.js';
import { action, type Io } from './context.js';
import { EXIT_CODES_HELP } from './errors.js';
import { details, section } from './format.js';
import { agentCommand } from './commands/agent.js';
import { examples } from './commands/common.js';
import { dcnsCommand, snapshotsCommand } from './commands/dcns.js';
import { extensionsCommand, opaqueCommand } from './commands/extensions.js';
import { hostsCommand, tasksCommand } from './commands/hosts.js';
import { portGroupsCommand, switchesCommand } from './commands/switches.js';
import { eventsCommand, rebuildCommand } from './commands/log.js';
import { networksCommand, transportNodesCommand, zonesCommand } from './commands/network.js';

export const VERSION = '0.1.0';

/** The whole command tree; `io` is where it reads its configuration from and writes to. */
export function buildProgram(io: Io): Command {
  const program = new Command('vnetctl')
    .description("operator command line of vnet: the network manager's, compute manager's and host agent's admin APIs")
    .version(VERSION)
    .option('--json', "print the services' JSON (for scripts) instead of tables")
    .option('--token <token>', 'the admin (or viewer) token')
    .option('--data-dir <dir>', 'where npm start keeps its data (its admin-token and services.json)')
    .option('--network-manager-url <url>', 'the network manager, such as http://127.0.0.1:7101')
    .option('--compute-manager-url <url>', 'the compute manager, such as http://127.0.0.1:7102')
    .option('--host-agent-url <url>', 'the host agent, such as http://127.0.0.1:7103')
    .option('--idempotency-key <key>', 'sent with every POST: the same key and body within 24 h creates nothing new')
    .addOption(new Option('--request-timeout <ms>', 'how long one HTTP request may take').default('30000'))
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) })
    .addHelpText('after', `\n${PRECEDENCE_HELP}\n\n${EXIT_CODES_HELP}\n`);
  examples(program, 'vnetctl switches list', 'vnetctl --json dcns list', 'vnetctl config');

  for (const cmd of [
    zonesCommand(io),
    networksCommand(io),
    transportNodesCommand(io),
    hostsCommand(io),
    switchesCommand(io),
    portGroupsCommand(io),
    dcnsCommand(io),
    snapshotsCommand(io),
    extensionsCommand(io),
    opaqueCommand(io),
    tasksCommand(io),
    eventsCommand(io),
    rebuildCommand(io),
    agentCommand(io),
    configCommand(io),
  ]) {
    program.addCommand(cmd);
  }
  // Every group and command answers usage errors the same way, and to the same streams.
  const configure = (cmd: Command) => {
    cmd
      .showHelpAfterError('(add --help for usage)')
      .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) });
    cmd.exitOverride();
    // A command's help lists --json, --token and the URLs as well: they go after it too.
    cmd.configureHelp({ showGlobalOptions: true });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

function configCommand(io: Io): Command {
  const cmd = new Command('config')
    .description('show which services and token vnetctl would use, and where it found them')
    .action(
      action(io, async (ctx) => {
        const c = ctx.resolved();
        const answer = {
          dataDir: c.dataDir,
          services: Object.fromEntries(SERVICE_NAMES.map((s) => [s, c.urls[s]])),
          // The token itself stays out of the output: only where it came from.
          token: c.token ? { source: c.token.source } : null,
        };
        ctx.show(answer, (a) =>
          [
            details([['data directory', a.dataDir ? `${a.dataDir.value} (${a.dataDir.source})` : 'none found']]),
            section('services', details(SERVICE_NAMES.map((s) => [s, `${c.urls[s].value} (${c.urls[s].source})`]))),
            details([['token', c.token ? `from ${c.token.source}` : 'none found']]),
          ].join('\n'),
        );
      }),
    );
  return examples(cmd, 'vnetctl config', 'VNET_DATA_DIR=/srv/vnet vnetctl config --json');
}
