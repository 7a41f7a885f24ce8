import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** One instruction of a Dockerfile: `COPY --from=build /app/x y` is op COPY, flags {from: build}, words [/app/x, y]. */
export interface Instruction {
  op: string;
  text: string;
  flags: Record<string, string>;
  words: string[];
}

export interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile (comments dropped, continued lines joined). */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const logical: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (/\\\s*$/.test(line)) pending += line.replace(/\\\s*$/, ' ');
    else {
      pending += line;
      if (pending.trim()) logical.push(pending.trim());
      pending = '';
    }
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, rest] = /^(\w+)\s+(.*)$/s.exec(line) ?? [];
    if (!op) throw new Error(`unreadable Dockerfile line: ${line}`);
    const tokens = rest.split(/\s+/);
    const flags: Record<string, string> = {};
    while (tokens[0]?.startsWith('--')) {
      const [k, v = ''] = tokens.shift()!.slice(2).split('=');
      flags[k] = v;
    }
    const instruction = { op: op.toUpperCase(), text: rest, flags, words: tokens };
    if (instruction.op === 'FROM') {
      const as = tokens.findIndex((t) => t.toUpperCase() === 'AS');
      stages.push({ base: tokens[0], name: as >= 0 ? tokens[as + 1] : null, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`${op} before FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/**
 * A .dockerignore: `matches(path)` says whether the build context leaves that path (relative to the
 * context's root) out, as BuildKit reads the patterns: `**` spans directories, `*` and `?` do not, a
 * pattern matching a directory leaves out everything under it, and `!` brings a path back.
 */
export function dockerignore(text: string): { patterns: string[]; matches(path: string): boolean } {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const rules = patterns.map((p) => {
    const negate = p.startsWith('!');
    const body = (negate ? p.slice(1) : p).replace(/^\/+/, '').replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < body.length; i++) {
      if (body.startsWith('**/', i)) {
        re += '(?:.*/)?';
        i += 2;
      } else if (body.startsWith('**', i)) {
        re += '.*';
        i += 1;
      } else if (body[i] === '*') re += '[^/]*';
      else if (body[i] === '?') re += '[^/]';
      else re += body[i].replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return { negate, re: new RegExp(`^${re}(?:/.*)?$`) };
  });
  return {
    patterns,
    matches: (path) => rules.reduce((out, r) => (r.re.test(path) ? !r.negate : out), false),
  };
}

/** The files of a clean checkout of this repository: what git tracks. */
export function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
}

/**
 * Plays a Dockerfile's stages without an engine: each stage's filesystem is a directory under `dir`,
 * COPY copies from the build context `context` (or from an earlier stage with `--from`), WORKDIR and ENV
 * are followed, and RUN runs through `sh -c` there for the stages `runStage` allows (the others' RUN
 * lines are returned for the caller to check). Answers each stage's root directory by name (and index).
 */
export function playDockerfile(
  stages: Stage[],
  {
    dir,
    context,
    runStage,
    env = {},
  }: { dir: string; context: string; runStage: (stage: Stage) => boolean; env?: Record<string, string> },
): { roots: Record<string, string>; skipped: Instruction[] } {
  const roots: Record<string, string> = {};
  const skipped: Instruction[] = [];
  stages.forEach((stage, index) => {
    const root = join(dir, `stage-${index}`);
    mkdirSync(root, { recursive: true });
    roots[String(index)] = root;
    if (stage.name) roots[stage.name] = root;
    let workdir = '/';
    const stageEnv: Record<string, string> = {};
    const inStage = (path: string) => join(root, path.startsWith('/') ? path : join(workdir, path));
    for (const ins of stage.instructions) {
      if (ins.op === 'WORKDIR') {
        workdir = ins.words[0].startsWith('/') ? ins.words[0] : join(workdir, ins.words[0]);
        mkdirSync(inStage(workdir), { recursive: true });
      } else if (ins.op === 'ENV') {
        for (const [, k, v] of ins.text.matchAll(/(\w+)=(\S+)/g)) stageEnv[k] = v;
      } else if (ins.op === 'COPY') {
        const from = ins.flags.from;
        const sources = ins.words.slice(0, -1);
        const dest = ins.words.at(-1)!;
        for (const src of sources) {
          const origin = from === undefined ? join(context, src) : join(roots[from] ?? '', src);
          if (from !== undefined && !roots[from]) throw new Error(`COPY --from=${from}: no such stage before`);
          if (!existsSync(origin)) throw new Error(`COPY ${from ? `--from=${from} ` : ''}${src}: not found (${origin})`);
          const isDir = statSync(origin).isDirectory();
          const target =
            isDir || !(dest.endsWith('/') || sources.length > 1) ? inStage(dest) : join(inStage(dest), basename(src));
          mkdirSync(isDir ? target : dirname(target), { recursive: true });
          cpSync(origin, target, { recursive: true, verbatimSymlinks: true });
        }
      } else if (ins.op === 'RUN') {
        if (!runStage(stage)) {
          skipped.push(ins);
          continue;
        }
        try {
          execFileSync('sh', ['-c', ins.text], {
            cwd: inStage(workdir),
            env: { PATH: process.env.PATH, HOME: process.env.HOME, ...stageEnv, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          });
        } catch (err) {
          const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
          throw new Error(`RUN ${ins.text} failed:\n${`${stdout}\n${stderr}`.trim().slice(-4000)}`);
        }
      }
    }
  });
  return { roots, skipped };
}

export const readDockerfile = (path = join(ROOT, 'docker', 'Dockerfile')) => parseDockerfile(readFileSync(path, 'utf8'));
