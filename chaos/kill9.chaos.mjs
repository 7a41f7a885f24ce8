// kill -9 under load (issue 15, item 1; CONTRACT §6.8).
//
// `npm run chaos -- kill9 [--hosts N] [--kills K] [--seed S] [--writers W] [--dcns D] [--patch-pause-ms MS]
// [--create-pause-ms MS2]` starts throw-away
// NATS and PostgreSQL, the three services and N simulated hosts (default 2,000) on one switch and in
// one transport zone. W writers (default 2) PATCH a port group's VLAN (each pausing MS after an
// accepted PATCH, by default 1,000 from 200 hosts up and none below), W more create logical networks
// in the zone (each with its own Idempotency-Key, retried until answered 2xx; MS2 apart, by default
// 5,000 from 200 hosts up and 500 below), and D DCNs (default 4)
// with a port-group port and a logical port each are migrated between random hosts. Meanwhile the
// compute manager, the network manager, the host agent and nats-server are each killed with SIGKILL K
// times (default 10), in a seeded random order at random moments (2–8 s apart, down 0–1.5 s), and
// started again on the same port and data. The seed is printed first; `--seed` replays a run.
//
// It prints, per fault, how long until every host ran the latest revision acknowledged when the
// process was back, and at the end: acknowledged PATCHes and creates missing from their log or
// present twice, each log's events missing from or doubled in its JetStream stream, how long after
// the last restart every host ran the switch's last revision with every network and each DCN's ports
// on its own host only (target ≤ 10 s), and the tasks still `running`. Exit code 1 on any violation.
import { runKill9 } from './lib/kill9.mjs';
import { option } from './lib/requests.mjs';

export default async function kill9(args) {
  const seed = option(args, 'seed', Number(process.env.VNET_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31)));
  const result = await runKill9({
    hosts: option(args, 'hosts', 2000),
    kills: option(args, 'kills', 10),
    writers: option(args, 'writers', 2),
    dcns: option(args, 'dcns', 4),
    ...(args.includes('--create-pause-ms') ? { createPauseMs: option(args, 'create-pause-ms', 500) } : {}),
    ...(args.includes('--patch-pause-ms') ? { patchPauseMs: option(args, 'patch-pause-ms', 0) } : {}),
    ...(args.includes('--converge-timeout-ms') ? { convergeTimeoutMs: option(args, 'converge-timeout-ms', 120000) } : {}),
    seed,
  });
  return result.problems.length ? 1 : 0;
}
