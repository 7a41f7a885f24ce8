import { dirname, join, resolve } from 'node:path';

/** The three services of vnet, as `npm start` names them. */
export const SERVICE_NAMES = ['network-manager', 'compute-manager', 'host-agent'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

interface ServiceSetting {
  /** The commander option (camel case) that names its URL. */
  flag: 'networkManagerUrl' | 'computeManagerUrl' | 'hostAgentUrl';
  urlVar: string;
  /** What `npm start` reads for the service's port. */
  portVar: string;
  defaultPort: number;
}

export const SERVICE_SETTINGS: Record<ServiceName, ServiceSetting> = {
  'network-manager': {
    flag: 'networkManagerUrl',
    urlVar: 'VNET_NETWORK_MANAGER_URL',
    portVar: 'NETWORK_MANAGER_PORT',
    defaultPort: 7101,
  },
  'compute-manager': {
    flag: 'computeManagerUrl',
    urlVar: 'VNET_COMPUTE_MANAGER_URL',
    portVar: 'COMPUTE_MANAGER_PORT',
    defaultPort: 7102,
  },
  'host-agent': { flag: 'hostAgentUrl', urlVar: 'VNET_HOST_AGENT_URL', portVar: 'HOST_AGENT_PORT', defaultPort: 7103 },
};

/** The files `npm start` writes into VNET_DATA_DIR that tell where it runs (scripts/lib/endpoints.mjs). */
export const SERVICES_FILE = 'services.json';
export const TOKEN_FILE = 'admin-token';
const DEFAULT_DATA_DIR = '.vnet';

export interface ConfigFlags {
  token?: string;
  dataDir?: string;
  networkManagerUrl?: string;
  computeManagerUrl?: string;
  hostAgentUrl?: string;
}

/** Everything discovery looks at, passed in so that it is a pure function of them. */
export interface ConfigSources {
  flags: ConfigFlags;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The checkout this command belongs to, whose `.vnet` is the last place looked at. */
  repoRoot?: string;
  /** A file's text, or null when it cannot be read. */
  readFile(path: string): string | null;
}

export interface Found<T> {
  value: T;
  /** Where it came from, for `vnetctl config` and error messages. */
  source: string;
}

export interface ResolvedConfig {
  dataDir: Found<string> | null;
  urls: Record<ServiceName, Found<string>>;
  token: Found<string> | null;
}

/** The precedence `--help` documents; the first source that gives a value wins. */
export const PRECEDENCE_HELP = `Where vnetctl finds the services and the token (first found wins):
  data directory  --data-dir, VNET_DATA_DIR, else the nearest .vnet directory
                  from the current one upwards, else the checkout's own .vnet
  service URLs    --network-manager-url / --compute-manager-url / --host-agent-url,
                  VNET_NETWORK_MANAGER_URL / VNET_COMPUTE_MANAGER_URL / VNET_HOST_AGENT_URL,
                  NETWORK_MANAGER_PORT / COMPUTE_MANAGER_PORT / HOST_AGENT_PORT (on 127.0.0.1),
                  the data directory's services.json (written by npm start),
                  else http://127.0.0.1:7101 / 7102 / 7103
  admin token     --token, VNET_TOKEN, ADMIN_TOKEN, the data directory's admin-token`;

const isFile = (src: ConfigSources, dir: string) =>
  src.readFile(join(dir, TOKEN_FILE)) !== null || src.readFile(join(dir, SERVICES_FILE)) !== null;

function findDataDir(src: ConfigSources): Found<string> | null {
  if (src.flags.dataDir) return { value: resolve(src.cwd, src.flags.dataDir), source: '--data-dir' };
  if (src.env.VNET_DATA_DIR) return { value: resolve(src.cwd, src.env.VNET_DATA_DIR), source: 'VNET_DATA_DIR' };
  for (let dir = resolve(src.cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, DEFAULT_DATA_DIR);
    if (isFile(src, candidate)) return { value: candidate, source: `nearest ${DEFAULT_DATA_DIR}` };
    if (dirname(dir) === dir) break;
  }
  if (src.repoRoot) {
    const candidate = join(src.repoRoot, DEFAULT_DATA_DIR);
    if (isFile(src, candidate)) return { value: candidate, source: `the checkout's ${DEFAULT_DATA_DIR}` };
  }
  return null;
}

/** `services.json`: `{"network-manager": "http://…", …}`; anything unreadable counts as absent. */
export function parseServicesFile(text: string | null): Partial<Record<ServiceName, string>> {
  if (text === null) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    // `{pid, start, urls: {service: url}}`, as scripts/lib/endpoints.mjs writes it.
    const saved = parsed && typeof parsed === 'object' ? (parsed as { urls?: unknown }).urls : null;
    if (!saved || typeof saved !== 'object') return {};
    const urls: Partial<Record<ServiceName, string>> = {};
    for (const name of SERVICE_NAMES) {
      const url = (saved as Record<string, unknown>)[name];
      if (typeof url === 'string' && url) urls[name] = url;
    }
    return urls;
  } catch {
    return {};
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function resolveConfig(src: ConfigSources): ResolvedConfig {
  const dataDir = findDataDir(src);
  const servicesFile = dataDir ? parseServicesFile(src.readFile(join(dataDir.value, SERVICES_FILE))) : {};
  const urls = {} as Record<ServiceName, Found<string>>;
  for (const name of SERVICE_NAMES) {
    const s = SERVICE_SETTINGS[name];
    const flag = src.flags[s.flag];
    const fileUrl = servicesFile[name];
    urls[name] = flag
      ? { value: trimSlash(flag), source: `--${name}-url` }
      : src.env[s.urlVar]
        ? { value: trimSlash(src.env[s.urlVar]!), source: s.urlVar }
        : src.env[s.portVar]
          ? { value: `http://127.0.0.1:${src.env[s.portVar]}`, source: s.portVar }
          : fileUrl
            ? { value: trimSlash(fileUrl), source: join(dataDir!.value, SERVICES_FILE) }
            : { value: `http://127.0.0.1:${s.defaultPort}`, source: 'default' };
  }
  return { dataDir, urls, token: findToken(src, dataDir) };
}

function findToken(src: ConfigSources, dataDir: Found<string> | null): Found<string> | null {
  if (src.flags.token) return { value: src.flags.token, source: '--token' };
  for (const name of ['VNET_TOKEN', 'ADMIN_TOKEN']) {
    if (src.env[name]) return { value: src.env[name]!, source: name };
  }
  if (!dataDir) return null;
  const file = join(dataDir.value, TOKEN_FILE);
  const token = src.readFile(file)?.trim();
  return token ? { value: token, source: file } : null;
}
