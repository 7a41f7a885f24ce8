import { createAccount, createUser, encodeUser, fmtCreds } from '@nats-io/jwt';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostAgentConfig } from '../config/host-agent.config.js';
import { credsUser, singleHostIdentity } from './host-identity.js';

describe('singleHostIdentity', () => {
  let dir: string;
  const signer = createAccount();
  const account = createAccount().getPublicKey();
  const config = (extra: Partial<HostAgentConfig>) => ({ VNET_DATA_DIR: dir, ...extra }) as HostAgentConfig;
  const credsOf = async (name: string) => {
    const user = createUser();
    return new TextDecoder().decode(fmtCreds(await encodeUser(name, user, signer, { issuer_account: account }), user));
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'host-identity-'));
    writeFileSync(join(dir, 'signer.nk'), new TextDecoder().decode(signer.getSeed()));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('connects a single host with its own credentials file and the inbox its credentials reserve', async () => {
    mkdirSync(join(dir, 'hosts', 'hv-1'), { recursive: true });
    const own = join(dir, 'hosts', 'hv-1', 'nats.creds');
    writeFileSync(own, await credsOf('hv-1'));
    const c = await singleHostIdentity(config({ HOST_ID: 'hv-1' }));
    expect(c.NATS_CREDS).toBe(own);
    expect(c.NATS_INBOX_PREFIX).toBe('_INBOX_hosts.hv-1');
  });

  it('mints the host its credentials first when it has none and the agent holds the signing key', async () => {
    const c = await singleHostIdentity(
      config({ HOST_ID: 'hv-2', NATS_HOST_SIGNING_KEY: join(dir, 'signer.nk'), NATS_ACCOUNT: account }),
    );
    expect(c.NATS_CREDS).toBe(join(dir, 'hosts', 'hv-2', 'nats.creds'));
    expect(credsUser(c.NATS_CREDS!)).toEqual({ name: 'hv-2', account });
    expect(readFileSync(c.NATS_CREDS!, 'utf8')).toMatch(/BEGIN USER NKEY SEED/);
  });

  it('takes an explicit NATS_CREDS of the host, and refuses credentials of anyone else', async () => {
    const file = join(dir, 'explicit.creds');
    writeFileSync(file, await credsOf('hv-3'));
    expect((await singleHostIdentity(config({ HOST_ID: 'hv-3', NATS_CREDS: file }))).NATS_CREDS).toBe(file);
    writeFileSync(file, await credsOf('host-agent'));
    await expect(singleHostIdentity(config({ HOST_ID: 'hv-3', NATS_CREDS: file }))).rejects.toThrow(
      /credentials of "host-agent", not of host hv-3/,
    );
  });

  it('leaves a server without authentication, and an agent of many hosts, as they are', async () => {
    const single = await singleHostIdentity(config({ HOST_ID: 'hv-4' }));
    expect(single.NATS_CREDS).toBeUndefined();
    expect(single.NATS_INBOX_PREFIX).toBe('_INBOX_hosts.hv-4');
    const many = config({ NATS_CREDS: '/some/host-agent.creds' });
    expect(await singleHostIdentity(many)).toEqual(many);
  });

  it('names a creds file it cannot use', () => {
    writeFileSync(join(dir, 'bad.creds'), 'nothing here');
    expect(() => credsUser(join(dir, 'bad.creds'))).toThrow(/bad\.creds holds no user JWT/);
    expect(() => credsUser(join(dir, 'absent.creds'))).toThrow(/absent\.creds cannot be read/);
  });
});
