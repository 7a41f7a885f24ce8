import { createUser, encodeUser, fmtCreds, fromSeed, type KeyPair } from '@nats-io/jwt';
import { Codec } from '@nats-io/nkeys/lib/codec.js';
import { createPrivateKey, createPublicKey, sign as ed25519Sign, type KeyObject } from 'node:crypto';
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
    this.signer = native(fromSeed(new TextEncoder().encode(seed)));
    if (!this.signer.getPublicKey().startsWith('A'))
      throw new Error(`NATS_HOST_SIGNING_KEY=${options.signingKeyFile} is not an account signing key`);
  }

  /** Writes the host's credentials unless it has them already; answers the file. */
  async ensure(hostDir: string, hostId: string): Promise<string> {
    const file = join(hostDir, HOST_CREDS_FILE);
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      return file;
    const user = native(createUser());
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

/** PKCS #8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A key pair whose Ed25519 work is Node's own (OpenSSL): the library's JavaScript derives the public
 * key anew at every use (about 17 ms each on this machine, several per JWT) and signs as slowly, so
 * 2,000 hosts' credentials at a first boot took over a minute; with these, well under a second.
 * Same keys, same deterministic signatures.
 */
class NativeKeyPair implements KeyPair {
  private readonly key: KeyObject;
  private readonly publicKey: string;
  private privateKey: Uint8Array | null = null;

  constructor(private readonly kp: KeyPair & { getRawSeed(): Uint8Array }) {
    this.key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(kp.getRawSeed())]),
      format: 'der',
      type: 'pkcs8',
    });
    const raw = createPublicKey(this.key).export({ format: 'der', type: 'spki' }).subarray(-32);
    const { prefix } = Codec.decodeSeed(kp.getSeed());
    this.publicKey = new TextDecoder().decode(Codec.encode(prefix, raw));
  }

  getPublicKey(): string {
    return this.publicKey;
  }
  getSeed(): Uint8Array {
    return this.kp.getSeed();
  }
  getPrivateKey(): Uint8Array {
    this.privateKey ??= this.kp.getPrivateKey();
    return this.privateKey;
  }
  sign(input: Uint8Array): Uint8Array {
    return new Uint8Array(ed25519Sign(null, input, this.key));
  }
  verify(input: Uint8Array, sig: Uint8Array): boolean {
    return this.kp.verify(input, sig);
  }
  clear(): void {
    this.kp.clear();
  }
  seal(input: Uint8Array, recipient: string, nonce?: Uint8Array): Uint8Array {
    return this.kp.seal(input, recipient, nonce);
  }
  open(message: Uint8Array, sender: string): Uint8Array | null {
    return this.kp.open(message, sender);
  }
}

const native = (kp: KeyPair) => new NativeKeyPair(kp as KeyPair & { getRawSeed(): Uint8Array });
