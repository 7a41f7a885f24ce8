import { decode, type User } from '@nats-io/jwt';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostAgentConfig } from '../config/host-agent.config.js';
import { HOST_CREDS_FILE, HostCredentials } from './host-credentials.js';

/** The inbox prefix a host's credentials reserve for it (the template's `_INBOX_hosts.<id>.>`). */
export const hostInboxPrefix = (hostId: string) => `_INBOX_hosts.${hostId}`;

/** Who a `.creds` file's user is: its name and the account it belongs to. */
export interface CredsUser {
  name: string;
  account: string | undefined;
}

/** The user of a `.creds` file (its JWT decoded; the server checks the signature, not this). */
export function credsUser(file: string): CredsUser {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`NATS_CREDS=${file} cannot be read: ${(err as Error).message}`);
  }
  const jwt = /-----BEGIN NATS USER JWT-----\s+(\S+)\s+/.exec(text)?.[1];
  if (!jwt) throw new Error(`NATS_CREDS=${file} holds no user JWT`);
  let claims;
  try {
    claims = decode<User>(jwt);
  } catch (err) {
    throw new Error(`NATS_CREDS=${file} holds no valid user JWT: ${(err as Error).message}`);
  }
  return { name: claims.name, account: claims.nats?.issuer_account };
}

/**
 * A host agent that serves one host (HOST_ID, a real hypervisor) is that host on the bus, not the
 * union principal of the simulated hosts: it connects with the host's own credentials, an explicit
 * NATS_CREDS or else `VNET_DATA_DIR/hosts/<id>/nats.creds` (written first with the host signing key
 * if the agent has one and the file is missing), and takes its replies under the prefix those
 * credentials reserve for it. Credentials of another user are refused at start. Without any
 * credentials (a server without authentication) the configuration is left as it is.
 * Answers the configuration to start with; changes nothing for an agent of many hosts.
 */
export async function singleHostIdentity(config: HostAgentConfig): Promise<HostAgentConfig> {
  const hostId = config.HOST_ID;
  if (!hostId) return config;
  const hostDir = join(config.VNET_DATA_DIR, 'hosts', hostId);
  let creds = config.NATS_CREDS;
  if (!creds) {
    const own = join(hostDir, HOST_CREDS_FILE);
    if (!existsSync(own) && config.NATS_HOST_SIGNING_KEY && config.NATS_ACCOUNT) {
      await mkdir(hostDir, { recursive: true });
      await new HostCredentials({ signingKeyFile: config.NATS_HOST_SIGNING_KEY, account: config.NATS_ACCOUNT }).ensure(
        hostDir,
        hostId,
      );
    }
    if (existsSync(own)) creds = own;
  }
  if (creds) {
    const user = credsUser(creds);
    if (user.name !== hostId)
      throw new Error(
        `NATS_CREDS=${creds} are the credentials of ${JSON.stringify(user.name)}, not of host ${hostId}: an agent with HOST_ID connects as that host only`,
      );
  }
  return Object.assign(config, {
    ...(creds ? { NATS_CREDS: creds } : {}),
    NATS_INBOX_PREFIX: config.NATS_INBOX_PREFIX ?? hostInboxPrefix(hostId),
  });
}
