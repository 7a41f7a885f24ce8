// The compose file's one-shot `nats-auth` service: the same operator-mode authentication as `npm start`'s
// local server (scripts/lib/nats-auth.mjs), written into volumes before NATS and the services start.
//
//   AUTH_DIR              the trust chain: keys, JWTs, every principal's .creds under <AUTH_DIR>/auth, and
//                         <AUTH_DIR>/server.conf, the NATS nodes' configuration (operator, full resolver,
//                         accounts preloaded); only the NATS nodes mount it.
//   SERVER_RESOLVER_DIR   where each NATS node keeps its resolver's account JWTs (on its own volume).
//   HELD_RESOLVER_DIR     a node's resolver directory as the init container sees it (read-only): the
//                         revocations published at run time are carried into the account JWT issued again.
//   CREDS_DIR             <CREDS_DIR>/<service>/: what each service needs and nothing more, one volume each.
//   CREDS_OWNER           `uid:gid` the services run as, given each service's files (the init runs as root:
//                         the nodes' resolver directories are root's, 0750).
//
// Run again at every `up`: keys and user keys are kept, JWTs issued again (permissions follow the code).
import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureNatsAuth, serverConfig } from '../scripts/lib/nats-auth.mjs';

/** Each service's files, by the name it gets in its own directory. */
export function serviceFiles(auth) {
  return {
    'network-manager': { 'nats.creds': auth.creds['network-manager'] },
    // Revocations: a system-account user to publish them, the operator's signing key to sign them.
    'compute-manager': {
      'nats.creds': auth.creds['compute-manager'],
      'sys.creds': auth.creds.sys,
      'operator-signer.nk': auth.operatorSignerFile,
    },
    // The scoped key that mints its hosts' credentials (its account is that of nats.creds).
    'host-agent': { 'nats.creds': auth.creds['host-agent'], 'host-signer.nk': auth.hostSignerFile },
  };
}

export async function initNatsAuth(env = process.env) {
  const need = (name) => {
    if (!env[name]) throw new Error(`${name} must be set`);
    return resolve(env[name]);
  };
  const authDir = need('AUTH_DIR');
  const serverResolverDir = need('SERVER_RESOLVER_DIR');
  const credsDir = need('CREDS_DIR');
  const held = env.HELD_RESOLVER_DIR ? resolve(env.HELD_RESOLVER_DIR) : serverResolverDir;
  const owner = env.CREDS_OWNER ? env.CREDS_OWNER.split(':').map(Number) : null;
  if (owner && (owner.length !== 2 || owner.some((n) => !Number.isInteger(n) || n < 0)))
    throw new Error(`CREDS_OWNER must be uid:gid, not ${env.CREDS_OWNER}`);
  const own = (path) => owner && chownSync(path, owner[0], owner[1]);
  const auth = await ensureNatsAuth(authDir, { resolverDir: held });
  const conf = join(authDir, 'server.conf');
  writeFileSync(conf, serverConfig(auth, { resolverDir: serverResolverDir }), { mode: 0o600 });
  chmodSync(conf, 0o600);
  for (const [service, files] of Object.entries(serviceFiles(auth))) {
    const dir = join(credsDir, service);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    own(dir);
    for (const [name, from] of Object.entries(files)) {
      copyFileSync(from, join(dir, name));
      chmodSync(join(dir, name), 0o600);
      own(join(dir, name));
    }
  }
  return { auth, conf };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { auth, conf } = await initNatsAuth();
  console.log(`nats auth: operator ${auth.operator}, account ${auth.account}; server configuration ${conf}`);
}
