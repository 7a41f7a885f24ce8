// NATS decentralized authentication for the local servers: an operator, the system account and the
// `VNET` account (JetStream enabled), each service's user, and the account's scoped signing key for
// hosts, whose permissions are a template on the host's name (its id). Every principal's `.creds`
// file is NATS's standard format. Kept under `<dir>/auth` (0700, files 0600) and reused: a second
// start keeps the same keys, and the account JWT the server holds (with its revocations) wins over
// the one written here (see `serverConfig`).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createAccount,
  createOperator,
  createUser,
  decode,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  fromSeed,
} from '@nats-io/jwt';

export const ACCOUNT_NAME = 'VNET';
export const HOST_ROLE = 'host';
/** The principals that get a user of their own; hosts are minted with the scoped key. */
export const SERVICE_PRINCIPALS = ['network-manager', 'compute-manager', 'host-agent'];

const KV = {
  networks: 'vnet-logical-networks',
  transportNodes: 'vnet-transport-nodes',
  switches: 'vnet-switches',
  hostPorts: 'vnet-host-ports',
};
const stream = (bucket) => `KV_${bucket}`;

/** Where a principal's replies come: a prefix only it may subscribe to. */
export const inboxPrefixFor = (principal) => `_INBOX_${principal}`;
export const HOST_INBOX = (hostId) => `_INBOX_hosts.${hostId}`;

/**
 * Reading a bucket through ordered consumers (KV watch, keys) and direct gets, limited to `keyFilter`:
 * the consumer-create API of nats-server ≥ 2.9 carries the filter in its subject, so the server
 * refuses a consumer on any other key. No stream, consumer or key can be created, changed or deleted.
 */
function readBucket(bucket, keyFilter) {
  const s = stream(bucket);
  return [
    `$JS.API.STREAM.INFO.${s}`,
    `$JS.API.CONSUMER.CREATE.${s}.*.$KV.${bucket}.${keyFilter}`,
    `$JS.API.CONSUMER.INFO.${s}.*`,
    `$JS.API.DIRECT.GET.${s}.$KV.${bucket}.${keyFilter}`,
    `$JS.FC.${s}.>`,
  ];
}

/**
 * A host's permissions, as the scoped signing key's template: `{{name()}}` is the user's name, the
 * host id. It publishes only on subjects that carry its own id, reads only its own ports and
 * transport-node state, and every switch's and zone's desired state (membership changes at run
 * time; a static permission cannot follow it, see README "Security of the bus").
 */
export function hostTemplate() {
  const h = '{{name()}}';
  return {
    pub: {
      allow: [
        `hosts.${h}.report`,
        `hosts.${h}.module-data`,
        `cm.heartbeat.${h}`,
        `cm.status.${h}`,
        `cm.repair.${h}`,
        '$JS.API.INFO',
        ...readBucket(KV.hostPorts, h),
        ...readBucket(KV.transportNodes, h),
        ...readBucket(KV.switches, '>'),
        ...readBucket(KV.networks, '>'),
      ],
    },
    sub: { allow: [`${HOST_INBOX(h)}.>`] },
  };
}

/**
 * The host agent's own user: what all of its simulated hosts together may do, and nothing else —
 * publish on host subjects, read the desired state; no stream, consumer, bucket or key of its own.
 */
function hostAgentPermissions() {
  return {
    pub: {
      allow: [
        'hosts.*.report',
        'hosts.*.module-data',
        'cm.heartbeat.*',
        'cm.status.*',
        'cm.repair.*',
        '$JS.API.INFO',
        ...Object.values(KV).flatMap((b) => [...readBucket(b, '>'), `$JS.API.STREAM.MSG.GET.${stream(b)}`]),
      ],
    },
    sub: { allow: [`${inboxPrefixFor('host-agent')}.>`] },
  };
}

/** What a manager may not touch: the other manager's desired state and event log. */
function managerPermissions(own, others) {
  const deny = others.buckets.flatMap((b) => [
    `$KV.${b}.>`,
    `$JS.API.STREAM.*.${stream(b)}`,
    `$JS.API.STREAM.MSG.*.${stream(b)}`,
    `$JS.API.CONSUMER.*.${stream(b)}.>`,
    `$JS.API.CONSUMER.*.${stream(b)}`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream(b)}.*`,
  ]);
  deny.push(...others.subjects);
  return {
    pub: { allow: ['>'], deny },
    sub: {
      allow: ['>'],
      deny: [`_INBOX_hosts.>`, ...SERVICE_PRINCIPALS.filter((p) => p !== own).map((p) => `${inboxPrefixFor(p)}.>`)],
    },
  };
}

const PERMISSIONS = {
  'network-manager': () =>
    managerPermissions('network-manager', {
      buckets: [KV.switches, KV.hostPorts],
      subjects: ['events.compute-manager.>', 'cm.heartbeat.*', 'cm.status.*', 'cm.repair.*'],
    }),
  'compute-manager': () =>
    managerPermissions('compute-manager', { buckets: [KV.networks, KV.transportNodes], subjects: ['events.network-manager.>'] }),
  'host-agent': hostAgentPermissions,
};

function writeSecret(path, content) {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function seedOf(kp) {
  return new TextDecoder().decode(kp.getSeed());
}

/** A `.creds` file's text for a user JWT and its key pair. */
export function credsText(jwt, kp) {
  return new TextDecoder().decode(fmtCreds(jwt, kp));
}

/**
 * Creates (once) the operator, the accounts and their signing keys under `<dir>/auth`, and issues
 * (at every start, so that permissions follow the code) the account JWTs and each service's
 * credentials; revocations the running server has accepted (kept in its resolver directory) are
 * carried into the new account JWT. Answers where everything is: `operator.jwt`, `sys.jwt`,
 * `vnet.jwt` the trust chain; `<principal>.creds` each principal's credentials; `host-signer.nk` the
 * scoped key that mints hosts; `operator-signer.nk` and `sys.creds` what publishes revocations.
 */
export async function ensureNatsAuth(dir, { resolverDir = join(dir, 'resolver') } = {}) {
  const authDir = join(dir, 'auth');
  mkdirSync(authDir, { recursive: true, mode: 0o700 });
  chmodSync(authDir, 0o700);
  const file = (name) => join(authDir, name);
  const key = (name, create) => {
    const path = file(`${name}.nk`);
    if (!existsSync(path)) writeSecret(path, seedOf(create()));
    return fromSeed(new TextEncoder().encode(readFileSync(path, 'utf8').trim()));
  };
  const operator = key('operator', createOperator);
  const operatorSigner = key('operator-signer', createOperator);
  const sys = key('sys', createAccount);
  const account = key('account', createAccount);
  const serviceSigner = key('service-signer', createAccount);
  const hostSigner = key('host-signer', createAccount);

  const operatorJwt = await encodeOperator('vnet', operator, {
    signing_keys: [operatorSigner.getPublicKey()],
    system_account: sys.getPublicKey(),
  });
  const unlimited = { subs: -1, data: -1, payload: -1, conn: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 };
  const sysJwt = await encodeAccount('SYS', sys, { limits: unlimited }, { signer: operatorSigner });
  const accountJwt = await encodeAccount(
    ACCOUNT_NAME,
    account,
    {
      limits: { ...unlimited, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 },
      signing_keys: [
        serviceSigner.getPublicKey(),
        { kind: 'user_scope', key: hostSigner.getPublicKey(), role: HOST_ROLE, template: hostTemplate() },
      ],
      revocations: heldRevocations(resolverDir, account.getPublicKey()),
    },
    { signer: operatorSigner },
  );
  writeFileSync(file('operator.jwt'), operatorJwt);
  writeFileSync(file('sys.jwt'), sysJwt);
  writeFileSync(file('vnet.jwt'), accountJwt);

  const issue = async (name, issuer, claims) => {
    const path = file(`${name}.creds`);
    const user = credsKey(path) ?? createUser();
    writeSecret(path, credsText(await encodeUser(name, user, issuer, claims), user));
  };
  await issue('sys', sys, {});
  for (const principal of SERVICE_PRINCIPALS) {
    await issue(principal, serviceSigner, { ...PERMISSIONS[principal](), issuer_account: account.getPublicKey() });
  }
  // Tools and tests: everything in the account, nothing in the system account.
  await issue('admin', serviceSigner, { issuer_account: account.getPublicKey() });

  return {
    dir: authDir,
    operator: operator.getPublicKey(),
    sys: sys.getPublicKey(),
    account: account.getPublicKey(),
    hostSigner: hostSigner.getPublicKey(),
    operatorJwtFile: file('operator.jwt'),
    sysJwt,
    accountJwt,
    creds: Object.fromEntries([...SERVICE_PRINCIPALS, 'admin', 'sys'].map((p) => [p, file(`${p}.creds`)])),
    hostSignerFile: file('host-signer.nk'),
    operatorSignerFile: file('operator-signer.nk'),
  };
}

/** The revocations of the account JWT the server's resolver holds (published at run time), if any. */
function heldRevocations(resolverDir, accountKey) {
  try {
    const held = decode(readFileSync(join(resolverDir, `${accountKey}.jwt`), 'utf8').trim());
    return held.nats?.revocations ?? {};
  } catch {
    return {};
  }
}

/** The user key of an existing creds file, kept across re-issues (so a service's identity is stable). */
function credsKey(path) {
  try {
    const seed = /-----BEGIN USER NKEY SEED-----\s+(\S+)\s+/.exec(readFileSync(path, 'utf8'))?.[1];
    return seed ? fromSeed(new TextEncoder().encode(seed)) : null;
  } catch {
    return null;
  }
}

/**
 * The server's configuration: operator mode with a full resolver (account JWTs kept under
 * `resolverDir`, updated at run time through `$SYS.REQ.CLAIMS.UPDATE`, no reload), the two accounts
 * preloaded. A preloaded JWT older than the one the resolver holds does not replace it, so a
 * revocation published earlier survives a restart.
 */
export function serverConfig(auth, { resolverDir }) {
  const q = (s) => JSON.stringify(s);
  return [
    `operator: ${q(auth.operatorJwtFile)}`,
    `system_account: ${q(auth.sys)}`,
    'resolver: {',
    '  type: full',
    `  dir: ${q(resolverDir)}`,
    '  allow_delete: false',
    '  interval: "2m"',
    '  timeout: "5s"',
    '}',
    'resolver_preload: {',
    `  ${auth.sys}: ${q(auth.sysJwt)}`,
    `  ${auth.account}: ${q(auth.accountJwt)}`,
    '}',
    '',
  ].join('\n');
}

/** Mints a host's credentials with the scoped host signing key (its permissions come from the key's template). */
export async function mintHostCreds(hostSignerSeed, accountPublicKey, hostId) {
  const signer = fromSeed(new TextEncoder().encode(hostSignerSeed.trim()));
  const user = createUser();
  const jwt = await encodeUser(hostId, user, signer, { issuer_account: accountPublicKey }, { scopedUser: true });
  return credsText(jwt, user);
}

// `node scripts/lib/nats-auth.mjs <dir>`: the same trust chain and credentials for a NATS server of
// one's own (NATS_URL): writes them under <dir>/auth and the server's authentication settings to
// <dir>/auth/server-auth.conf (include it from the server's configuration).
// `node scripts/lib/nats-auth.mjs <dir> --host <hostId> <file>`: one host's credentials (a real
// hypervisor's), minted with <dir>/auth/host-signer.nk and written to <file> (0600).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [given, flag, hostId, out] = process.argv.slice(2);
  // Absolute: the server's configuration names its files by these paths.
  const dir = given && resolve(given);
  if (!dir || (flag !== undefined && (flag !== '--host' || !hostId || !out))) {
    console.error('usage: node scripts/lib/nats-auth.mjs <dir> [--host <hostId> <file>]');
    process.exit(2);
  }
  if (flag === '--host') {
    // Reads the keys made before; issues nothing else.
    const secret = (name) => readFileSync(join(dir, 'auth', name), 'utf8').trim();
    const account = fromSeed(new TextEncoder().encode(secret('account.nk'))).getPublicKey();
    writeSecret(out, await mintHostCreds(secret('host-signer.nk'), account, hostId));
    console.log(`${hostId}'s credentials: ${out}`);
    process.exit(0);
  }
  const auth = await ensureNatsAuth(dir);
  const conf = join(auth.dir, 'server-auth.conf');
  writeFileSync(conf, serverConfig(auth, { resolverDir: join(dir, 'resolver') }), { mode: 0o600 });
  console.log(`server configuration: ${conf}`);
  for (const [principal, creds] of Object.entries(auth.creds)) console.log(`${principal.padEnd(16)} ${creds}`);
  console.log(`host signing key ${auth.hostSignerFile} (NATS_HOST_SIGNING_KEY, with NATS_ACCOUNT=${auth.account})`);
  console.log(
    `operator signer  ${auth.operatorSignerFile} (NATS_OPERATOR_SIGNING_KEY, with NATS_SYSTEM_CREDS=${auth.creds.sys})`,
  );
}
