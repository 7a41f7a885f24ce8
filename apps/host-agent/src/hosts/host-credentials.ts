import { createUser, encodeUser, fmtCreds, fromSeed, type KeyPair } from '@nats-io/jwt';
import { readFileSync } from 'node:fs';
import { access, chmod, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file of a host's NATS credentials, in its own directory. */
export const HOST_CREDS_FILE = 'nats.creds';

export interface HostCredentialsOptions {
  /** A file holding the account's scoped signing key for hosts (NATS_HOST_SIGNING_KEY). */
  signingKeyFile: string;
  /** The account the hosts belong to (NATS_ACCOUNT, its public key). */
  account: string;
}

/**
 * Mints each host's NATS credentials with the account's scoped signing key for hosts: a user named
 * after the host, whose permissions are the key's template (the server fills in the name), so the
 * key can make nothing but hosts. Written once, when the host is created, as
 * `<host dir>/nats.creds` (NATS's `.creds` format, mode 0600); an existing file is kept.
 */
export class HostCredentials {
  private readonly signer: KeyPair;

  constructor(private readonly options: HostCredentialsOptions) {
    let seed: string;
    try {
      seed = readFileSync(options.signingKeyFile, 'utf8').trim();
    } catch (err) {
      throw new Error(`NATS_HOST_SIGNING_KEY=${options.signingKeyFile} cannot be read: ${(err as Error).message}`);
    }
    this.signer = fromSeed(new TextEncoder().encode(seed));
    if (!this.signer.getPublicKey().startsWith('A')) throw new Error(`NATS_HOST_SIGNING_KEY=${options.signingKeyFile} is not an account signing key`);
  }

  /** Writes the host's credentials unless it has them already; answers the file. */
  async ensure(hostDir: string, hostId: string): Promise<string> {
    const file = join(hostDir, HOST_CREDS_FILE);
    if (await access(file).then(() => true, () => false)) return file;
    const user = createUser();
    const jwt = await encodeUser(hostId, user, this.signer, { issuer_account: this.options.account }, { scopedUser: true });
    const tmp = `${file}.tmp`;
    await writeFile(tmp, fmtCreds(jwt, user), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
    return file;
  }

  /** Removes a host's credentials file (they are revoked on the server separately). */
  async remove(hostDir: string): Promise<void> {
    await rm(join(hostDir, HOST_CREDS_FILE), { force: true });
  }
}
