import { createAccount, decode, fromPublic, type User } from '@nats-io/jwt';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_CREDS_FILE, HostCredentials } from './host-credentials.js';

describe('HostCredentials', () => {
  let dir: string;
  const signer = createAccount();
  const account = createAccount().getPublicKey();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'host-creds-'));
    writeFileSync(join(dir, 'signer.nk'), new TextDecoder().decode(signer.getSeed()));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a host's .creds once, 0600: a user named after the host, of the account, signed by the scoped key", async () => {
    const creds = new HostCredentials({ signingKeyFile: join(dir, 'signer.nk'), account });
    const file = await creds.ensure(dir, 'host-7');
    expect(file).toBe(join(dir, HOST_CREDS_FILE));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const jwt = /-----BEGIN NATS USER JWT-----\s+(\S+)/.exec(text)![1];
    expect(text).toMatch(/-----BEGIN USER NKEY SEED-----\s+SU[A-Z2-7]+\s+/);
    const claims = decode<User>(jwt);
    expect(claims).toMatchObject({ name: 'host-7', iss: signer.getPublicKey(), nats: { type: 'user', issuer_account: account } });
    // Signed as the library would sign: the server checks this signature against the scoped key.
    const [h, p, sig] = jwt.split('.');
    expect(fromPublic(signer.getPublicKey()).verify(new TextEncoder().encode(`${h}.${p}`), Buffer.from(sig, 'base64url'))).toBe(
      true,
    );
    // No permissions of its own: a scoped key's user gets the key's template.
    expect(claims.nats.pub).toBeUndefined();

    await creds.ensure(dir, 'host-7');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('names the signing key file it cannot read', () => {
    expect(() => new HostCredentials({ signingKeyFile: join(dir, 'absent.nk'), account })).toThrow(
      /NATS_HOST_SIGNING_KEY=.*absent\.nk cannot be read/,
    );
  });
});
