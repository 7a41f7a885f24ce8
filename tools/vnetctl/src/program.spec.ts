import type { Command } from 'commander';
import type { Io } from './context.js';
import { run } from './main.js';
import { buildProgram } from './program.js';

function memoryIo(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => void (out += t) },
    stderr: { write: (t: string) => void (err += t) },
    tty: null,
    sources: { env: {}, cwd: '/nowhere', readFile: () => null },
    out: () => out,
    err: () => err,
  };
}

const leaves = (cmd: Command, path: string[] = []): Array<{ path: string; cmd: Command }> =>
  cmd.commands.length ? cmd.commands.flatMap((c) => leaves(c, [...path, c.name()])) : [{ path: path.join(' '), cmd }];

describe('the command tree', () => {
  it('has a description and an example in the help of every command', () => {
    const io = memoryIo();
    const all = leaves(buildProgram(io));
    expect(all.length).toBeGreaterThan(45);
    for (const { path, cmd } of all) {
      const before = io.out().length;
      cmd.outputHelp();
      const help = io.out().slice(before);
      expect({ path, described: cmd.description().length > 0, example: /\nExamples?:\n {2}\$ vnetctl /.test(help) }).toEqual({
        path,
        described: true,
        example: true,
      });
    }
  });

  it('answers usage errors with exit code 2 before any request, and --help with 0', async () => {
    const io = memoryIo();
    expect(await run(['switches', 'create', 'x'], io)).toBe(2);
    expect(io.err()).toMatch(/required option '--hosts <hostIds...>' not specified/);
    expect(await run(['dcns', 'attach-nic', 'd', '--network', 'n', '--port-group', 'p', '--token', 't'], io)).toBe(2);
    expect(io.err()).toMatch(/give exactly one of --network and --port-group/);
    expect(await run(['snapshots', 'restore', 's', '--mode', 'sideways'], io)).toBe(2);
    expect(await run(['switches', 'list'], io)).toBe(2);
    expect(io.err()).toMatch(/no admin token/);
    expect(await run(['--help'], io)).toBe(0);
    expect(await run(['events', '--help'], io)).toBe(0);
  });
});
