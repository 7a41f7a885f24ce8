import { type Command, Option } from 'commander';

/** Every command's help ends with how it is used. */
export function examples(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** A command that starts host work follows its task unless told not to. */
export function waits(cmd: Command): Command {
  return cmd
    .option('--no-wait', 'answer once the task has started, without following it')
    .addOption(new Option('--wait-timeout <seconds>', 'how long to follow the task before giving up (exit 3)').default('300'));
}

export const asOfOption = () => new Option('--as-of <position|time>', 'the state at a position of the log or an ISO 8601 time');
