import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { decode, encodeAccount, fromSeed, type Account, type ClaimsData, type SigningKey, type User } from '@nats-io/jwt';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { ConflictError, DomainError, InvalidInputError, SERVICE_CONFIG } from '@vnet/events';
import { readFileSync } from 'node:fs';
import type { ComputeManagerConfig } from '../config/compute-manager.config.js';

/** What answers a revocation. */
export interface RevokedCredentials {
  hostId: string;
  /** The public key of the revoked user: every JWT of it issued up to `revokedAt` is refused. */
  userKey: string;
  revokedAt: string;
}

class RevocationFailedError extends DomainError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  readonly status = 503;
}

const REQUEST_TIMEOUT_MS = 5000;

/**
 * Revokes a host's NATS credentials: the account JWT, as the server holds it, gets the user's key in
 * its revocations, re-signed with the operator's signing key and published to the server's full
 * resolver (`$SYS.REQ.CLAIMS.UPDATE`). The server then closes the user's connections and refuses
 * any new one, also after a restart (its resolver keeps the JWT); no configuration is reloaded.
 * Only a host's own credentials qualify: a user JWT named after the host, of our account, signed by
 * the account's scoped signing key for hosts (the signature is checked), so a revocation can never
 * reach a service. Revocations are applied one at a time (each reads the JWT the last one wrote).
 */
@Injectable()
export class HostCredentialsRevoker implements OnApplicationShutdown {
  private readonly logger = new Logger('HostCredentials');
  private system: Promise<NatsConnection> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ComputeManagerConfig) {}

  revoke(hostId: string, credentials: string): Promise<RevokedCredentials> {
    const user = parseHostUser(hostId, credentials);
    const run = this.queue.then(() => this.publish(hostId, user));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async onApplicationShutdown(): Promise<void> {
    const nc = await this.system?.catch(() => null);
    await nc?.close();
  }

  private async publish(hostId: string, user: ClaimsData<User>): Promise<RevokedCredentials> {
    const { NATS_SYSTEM_CREDS, NATS_OPERATOR_SIGNING_KEY } = this.config;
    if (!NATS_SYSTEM_CREDS || !NATS_OPERATOR_SIGNING_KEY) {
      throw new ConflictError('REVOCATION_NOT_CONFIGURED', 'revocation needs NATS_SYSTEM_CREDS and NATS_OPERATOR_SIGNING_KEY');
    }
    const accountKey = user.nats.issuer_account!;
    const ownAccount = credsClaims(this.config.NATS_CREDS).nats.issuer_account;
    if (accountKey !== ownAccount) throw new InvalidInputError({ credentials: 'are not of this account' });
    const nc = await this.systemConnection(NATS_SYSTEM_CREDS);
    try {
      const current = (
        await nc.request(`$SYS.REQ.ACCOUNT.${accountKey}.CLAIMS.LOOKUP`, '', { timeout: REQUEST_TIMEOUT_MS })
      ).string();
      const account = decode<Account>(current);
      const hostSigners = (account.nats.signing_keys ?? []).filter(
        (k): k is SigningKey => typeof k === 'object' && k.kind === 'user_scope' && k.role === 'host',
      );
      if (!hostSigners.some((k) => k.key === user.iss))
        throw new InvalidInputError({ credentials: 'are not signed by the account key for hosts' });
      const at = Math.floor(Date.now() / 1000);
      const revocations = { ...(account.nats.revocations ?? {}), [user.sub]: at };
      const signer = fromSeed(new TextEncoder().encode(readFileSync(NATS_OPERATOR_SIGNING_KEY, 'utf8').trim()));
      const next = await encodeAccount(account.name, account.sub, { ...account.nats, revocations }, { signer });
      const answer = (await nc.request('$SYS.REQ.CLAIMS.UPDATE', next, { timeout: REQUEST_TIMEOUT_MS })).json<{
        data?: { code?: number; message?: string };
        error?: { code?: number; description?: string };
      }>();
      if (answer.data?.code !== 200)
        throw new Error(answer.error?.description ?? answer.data?.message ?? 'claims update refused');
      this.logger.log({ msg: 'host credentials revoked', hostId, userKey: user.sub });
      return { hostId, userKey: user.sub, revokedAt: new Date(at * 1000).toISOString() };
    } catch (err) {
      if (err instanceof DomainError) throw err;
      this.logger.error({ msg: 'revocation not published', hostId, error: String((err as Error).message) });
      throw new RevocationFailedError(`revocation not published: ${(err as Error).message}`);
    }
  }

  private systemConnection(credsFile: string): Promise<NatsConnection> {
    this.system ??= connect({
      servers: this.config.NATS_URL.split(',').map((s) => s.trim()),
      name: 'compute-manager-revocations',
      authenticator: credsAuthenticator(readFileSync(credsFile)),
      maxReconnectAttempts: -1,
    }).catch((err: unknown) => {
      this.system = null;
      throw err;
    });
    return this.system;
  }
}

/** The user JWT of `credentials` (a `.creds` file's text or the JWT alone), checked to be host `hostId`'s. */
export function parseHostUser(hostId: string, credentials: string): ClaimsData<User> {
  const jwt = /-----BEGIN NATS USER JWT-----\s+(\S+)\s+/.exec(credentials)?.[1] ?? credentials.trim();
  const bad = (why: string) => new InvalidInputError({ credentials: why });
  let claims: ClaimsData<User>;
  try {
    claims = decode<User>(jwt); // checks the signature against the issuer too
  } catch {
    throw bad('are not a validly signed NATS user JWT');
  }
  if (claims.nats?.type !== 'user' || typeof claims.sub !== 'string' || !claims.sub.startsWith('U'))
    throw bad('are not a NATS user JWT');
  if (claims.name !== hostId) throw bad(`are not host ${hostId}'s`);
  if (typeof claims.nats.issuer_account !== 'string') throw bad('are not signed by an account signing key');
  return claims;
}

function credsClaims(file: string | undefined): ClaimsData<User> {
  if (!file) throw new ConflictError('REVOCATION_NOT_CONFIGURED', 'revocation needs the service to run with NATS_CREDS');
  const text = readFileSync(file, 'utf8');
  const jwt = /-----BEGIN NATS USER JWT-----\s+(\S+)\s+/.exec(text)?.[1];
  if (!jwt) throw new ConflictError('REVOCATION_NOT_CONFIGURED', `NATS_CREDS=${file} holds no user JWT`);
  return decode<User>(jwt);
}
