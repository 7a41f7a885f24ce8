import { createAccount, createUser, encodeUser, fmtCreds } from '@nats-io/jwt';
import { parseHostUser } from './host-credentials.revoker.js';

describe('parseHostUser', () => {
  const hostSigner = createAccount();
  const account = createAccount().getPublicKey();
  const mint = async (name: string) => {
    const user = createUser();
    const jwt = await encodeUser(name, user, hostSigner, { issuer_account: account }, { scopedUser: true });
    return { jwt, user, creds: new TextDecoder().decode(fmtCreds(jwt, user)) };
  };

  it("takes a host's .creds text or its JWT, and answers the user it names", async () => {
    const { jwt, user, creds } = await mint('host-1');
    expect(parseHostUser('host-1', creds)).toMatchObject({
      sub: user.getPublicKey(),
      name: 'host-1',
      iss: hostSigner.getPublicKey(),
    });
    expect(parseHostUser('host-1', jwt).sub).toBe(user.getPublicKey());
  });

  it("refuses another host's credentials, garbage, and a JWT whose signature does not hold", async () => {
    const { jwt } = await mint('host-2');
    expect(() => parseHostUser('host-1', jwt)).toThrow(/credentials: are not host host-1's/);
    expect(() => parseHostUser('host-1', 'not a jwt')).toThrow(/credentials: are not a validly signed NATS user JWT/);
    // The payload of host-2's JWT renamed to host-1, with host-2's signature: forged.
    const [h, p, s] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, name: 'host-1' })).toString('base64url')}.${s}`;
    expect(() => parseHostUser('host-1', forged)).toThrow(/credentials: are not a validly signed NATS user JWT/);
  });
});
