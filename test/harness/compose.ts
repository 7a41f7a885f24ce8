import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { ComputeManagerConfig } from '../../apps/compute-manager/src/config/compute-manager.config.js';
import { HostAgentConfig } from '../../apps/host-agent/src/config/host-agent.config.js';
import { NetworkManagerConfig } from '../../apps/network-manager/src/config/network-manager.config.js';
import { ADMIN_TOKEN } from './stack.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** What the tests read of a compose service. */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
  restart?: string;
  user?: string;
}

/** YAML merge keys (`<<: *anchor`), which Compose resolves and plain YAML 1.2 does not. */
function merged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(merged);
  if (!value || typeof value !== 'object') return value;
  const { '<<': base, ...own } = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const b of base === undefined ? [] : Array.isArray(base) ? base : [base]) Object.assign(out, merged(b));
  for (const [k, v] of Object.entries(own)) out[k] = merged(v);
  return out;
}

/** docker/docker-compose.yml as Compose reads it (merge keys resolved; variables not substituted). */
export const compose = merged(load(readFileSync(join(ROOT, 'docker', 'docker-compose.yml'), 'utf8'))) as {
  name?: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};

export const service = (name: string): ComposeService => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/** A service's command as the argument list its container runs. */
export const args = (s: ComposeService): string[] =>
  Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/).filter(Boolean);

/**
 * Compose's variable substitution in one value: `${VAR}`, `${VAR:-default}` / `${VAR-default}`,
 * `${VAR:?error}` / `${VAR?error}` (throws with the error), `$VAR`, and `$$` for a literal `$`.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name, colon, op, arg, bare) => {
      if (whole === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const v = env[name];
      const missing = colon ? v === undefined || v === '' : v === undefined;
      if (!op) return v ?? '';
      if (op === '-') return missing ? arg : v!;
      if (missing) throw new Error(`${name}: ${arg}`);
      return v!;
    },
  );
}

/**
 * The volumes of the compose file on this machine: a directory per named volume under `dir`, and per
 * service a root in which each volume it mounts is a link to that volume's directory, so that a
 * container path of a service lands where that service's container would see it.
 */
export class ComposeVolumes {
  constructor(readonly dir: string) {}

  hostPath(name: string, containerPath: string): string {
    const root = join(this.dir, 'roots', name);
    if (!existsSync(root)) {
      for (const [volume, target] of (service(name).volumes ?? []).map((v) => v.split(':'))) {
        mkdirSync(join(this.dir, 'volumes', volume), { recursive: true });
        mkdirSync(dirname(join(root, target)), { recursive: true });
        symlinkSync(join(this.dir, 'volumes', volume), join(root, target));
      }
    }
    return join(root, containerPath);
  }

  /** The `nats-auth` service's environment, its paths mapped (SERVER_RESOLVER_DIR is nats-1's). */
  initEnv(): Record<string, string> {
    const env = service('nats-auth').environment!;
    const mapped: Record<string, string> = { ...env };
    for (const key of ['AUTH_DIR', 'HELD_RESOLVER_DIR', 'CREDS_DIR']) mapped[key] = this.hostPath('nats-auth', env[key]);
    // CREDS_DIR itself is the image's directory, each service's subdirectory a volume.
    mkdirSync(mapped.CREDS_DIR, { recursive: true });
    mapped.SERVER_RESOLVER_DIR = this.hostPath('nats-1', env.SERVER_RESOLVER_DIR);
    return mapped;
  }

  /** Runs the one-shot `nats-auth` service's command, as at an `up`; answers its output. */
  runInit(): string {
    return execFileSync(process.execPath, args(service('nats-auth')).slice(1), {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...this.initEnv() },
      encoding: 'utf8',
    });
  }
}

/** The NATS nodes of the compose file. */
export const NODES = ['nats-1', 'nats-2', 'nats-3'];

/** Each service of the image, the config class it validates its environment into, and its port's variable. */
export const APPS = {
  'network-manager': { config: NetworkManagerConfig, portVar: 'NETWORK_MANAGER_PORT' },
  'compute-manager': { config: ComputeManagerConfig, portVar: 'COMPUTE_MANAGER_PORT' },
  'host-agent': { config: HostAgentConfig, portVar: 'HOST_AGENT_PORT' },
} as const;
export type App = keyof typeof APPS;
export const APP_NAMES = Object.keys(APPS) as App[];

/** What an operator's shell gives `docker compose up` (README "Containers"). */
export const SHELL = { ADMIN_TOKEN };

/** A service's environment as compose hands it to the container, its variables substituted from `shell`. */
export const environmentOf = (name: string, shell: Record<string, string> = SHELL): Record<string, string> =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(String(v), shell)]));
