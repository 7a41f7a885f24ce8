import { join } from 'node:path';
import { parseServicesFile, resolveConfig, type ConfigSources } from './config.js';

const files =
  (entries: Record<string, string>): ConfigSources['readFile'] =>
  (path) =>
    entries[path] ?? null;
const sources = (over: Partial<ConfigSources> = {}): ConfigSources => ({
  flags: {},
  env: {},
  cwd: '/work/repo/sub',
  readFile: files({}),
  ...over,
});
// As scripts/lib/endpoints.mjs writes it for `npm start`.
const SERVICES = JSON.stringify({
  pid: 4242,
  start: '1234',
  urls: {
    'network-manager': 'http://127.0.0.1:8101',
    'compute-manager': 'http://127.0.0.1:8102/',
    'host-agent': 'http://127.0.0.1:8103',
  },
});

describe('discovery of the services and the token', () => {
  it('defaults to the ports of CONTRACT §1 and finds no token when nothing is given', () => {
    const c = resolveConfig(sources());
    expect(c.urls['network-manager']).toEqual({ value: 'http://127.0.0.1:7101', source: 'default' });
    expect(c.urls['compute-manager'].value).toBe('http://127.0.0.1:7102');
    expect(c.urls['host-agent'].value).toBe('http://127.0.0.1:7103');
    expect(c.token).toBeNull();
    expect(c.dataDir).toBeNull();
  });

  it("reads npm start's files from the nearest .vnet upwards", () => {
    const c = resolveConfig(
      sources({ readFile: files({ '/work/repo/.vnet/admin-token': 'secret\n', '/work/repo/.vnet/services.json': SERVICES }) }),
    );
    expect(c.dataDir).toEqual({ value: '/work/repo/.vnet', source: 'nearest .vnet' });
    expect(c.token).toEqual({ value: 'secret', source: '/work/repo/.vnet/admin-token' });
    expect(c.urls['compute-manager']).toEqual({ value: 'http://127.0.0.1:8102', source: '/work/repo/.vnet/services.json' });
  });

  it("falls back to the checkout's own .vnet", () => {
    const c = resolveConfig(
      sources({ cwd: '/elsewhere', repoRoot: '/work/repo', readFile: files({ '/work/repo/.vnet/admin-token': 't' }) }),
    );
    expect(c.dataDir?.source).toBe("the checkout's .vnet");
    expect(c.token?.value).toBe('t');
  });

  it('takes VNET_DATA_DIR relative to the current directory, and --data-dir over it', () => {
    const read = files({ '/work/repo/sub/d/admin-token': 'from-env', '/flag/admin-token': 'from-flag' });
    expect(resolveConfig(sources({ env: { VNET_DATA_DIR: 'd' }, readFile: read })).token?.value).toBe('from-env');
    expect(
      resolveConfig(sources({ env: { VNET_DATA_DIR: 'd' }, flags: { dataDir: '/flag' }, readFile: read })).token?.value,
    ).toBe('from-flag');
  });

  it('ranks flag over URL variable over port variable over services.json', () => {
    const readFile = files({ [join('/d', 'services.json')]: SERVICES });
    const env = { VNET_NETWORK_MANAGER_URL: 'http://nm:1/', COMPUTE_MANAGER_PORT: '9102', NETWORK_MANAGER_PORT: '9101' };
    const c = resolveConfig(sources({ env, readFile, flags: { dataDir: '/d', hostAgentUrl: 'http://ha:3' } }));
    expect(c.urls['network-manager']).toEqual({ value: 'http://nm:1', source: 'VNET_NETWORK_MANAGER_URL' });
    expect(c.urls['compute-manager']).toEqual({ value: 'http://127.0.0.1:9102', source: 'COMPUTE_MANAGER_PORT' });
    expect(c.urls['host-agent']).toEqual({ value: 'http://ha:3', source: '--host-agent-url' });
  });

  it('ranks --token over VNET_TOKEN over ADMIN_TOKEN over the admin-token file', () => {
    const readFile = files({ '/d/admin-token': 'file' });
    const base = { flags: { dataDir: '/d' }, readFile };
    expect(resolveConfig(sources(base)).token?.source).toBe('/d/admin-token');
    expect(resolveConfig(sources({ ...base, env: { ADMIN_TOKEN: 'a' } })).token).toEqual({ value: 'a', source: 'ADMIN_TOKEN' });
    expect(resolveConfig(sources({ ...base, env: { ADMIN_TOKEN: 'a', VNET_TOKEN: 'v' } })).token?.value).toBe('v');
    expect(resolveConfig(sources({ ...base, env: { VNET_TOKEN: 'v' }, flags: { dataDir: '/d', token: 'f' } })).token?.value).toBe(
      'f',
    );
  });

  it('ignores an empty token file and an unreadable services.json', () => {
    const c = resolveConfig(
      sources({ flags: { dataDir: '/d' }, readFile: files({ '/d/admin-token': '  \n', '/d/services.json': '{oops' }) }),
    );
    expect(c.token).toBeNull();
    expect(c.urls['host-agent'].source).toBe('default');
    expect(parseServicesFile('[1]')).toEqual({});
    expect(parseServicesFile('{"urls": {"host-agent": 3}}')).toEqual({});
    expect(parseServicesFile('{"host-agent": "http://127.0.0.1:1"}')).toEqual({});
  });
});
