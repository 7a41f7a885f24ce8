// Hostile input: 10,000 requests per service generated from its OpenAPI document (seeded).
//
// `npm run chaos -- fuzz [--count N] [--seed S] [--concurrency C]` starts throw-away NATS and
// PostgreSQL and the three services, creates a few real objects on each (chaos/lib/fixture.mjs),
// then sends each service N hostile requests (default 10,000) spread over every operation of the
// document it serves at /docs-json: wrong types, missing and extra fields (`__proto__`,
// `constructor`, ...), huge strings and numbers, unicode, NUL and lone surrogates, ids that are no
// ids, malformed JSON, 20,000-level nesting, wrong content types, oversized bodies, bad headers and
// tokens, other methods. It checks: no 5xx and no request left unanswered; every 4xx is CONTRACT §2's
// error body with a code; nothing invalid by construction is accepted; every event recorded during
// the run carries the correlation id of an accepted request (a few `odd-values` requests match the
// document and may be accepted); the host agent's hosts and journals do not move. The seed is
// printed first (VNET_FUZZ_SEED or --seed replays a run); the exit code is 1 when anything failed.
import { startBenchStack, TOKEN } from '../bench/lib/services.mjs';
import { createFixture, hostAgentState } from './lib/fixture.mjs';
import { fuzzSeed, fuzzService, summarize } from './lib/fuzz.mjs';
import { option } from './lib/requests.mjs';

export default async function fuzz(args) {
  const count = option(args, 'count', 10000);
  const seed = option(args, 'seed', fuzzSeed());
  const concurrency = option(args, 'concurrency', 8);
  console.log(`fuzz: seed ${seed} (replay with VNET_FUZZ_SEED=${seed} or --seed ${seed}), ${count} requests per service`);
  const stack = await startBenchStack();
  let failed = false;
  try {
    const nm = await stack.startService('network-manager');
    const cm = await stack.startService('compute-manager');
    const ha = await stack.startService('host-agent');
    const known = await createFixture({ nm: nm.url, cm: cm.url, ha: ha.url, token: TOKEN });
    // The host agent first: nothing accepted elsewhere is then still on its way to its hosts.
    const runs = [
      { name: 'host-agent', url: ha.url, hasLog: false, oddValues: false, stateProbe: () => hostAgentState(ha.url, TOKEN) },
      { name: 'network-manager', url: nm.url, hasLog: true },
      { name: 'compute-manager', url: cm.url, hasLog: true },
    ];
    const accepted = new Set();
    for (const run of runs) {
      const result = await fuzzService({ ...run, token: TOKEN, seed, count, concurrency, known: known[run.name], accepted });
      console.log(summarize(result));
      for (const [kind, statuses] of Object.entries(result.byKind).sort())
        console.log(
          `  ${kind.padEnd(15)} ${Object.entries(statuses)
            .map(([s, n]) => `${s}×${n}`)
            .join(' ')}`,
        );
      for (const p of result.problems.slice(0, 20)) console.log(`  PROBLEM ${JSON.stringify(p).slice(0, 600)}`);
      if (result.problems.length > 20) console.log(`  ... and ${result.problems.length - 20} more`);
      if (result.problems.length > 0) failed = true;
    }
  } finally {
    await stack.stop();
  }
  console.log(failed ? `fuzz: FAILED (seed ${seed})` : `fuzz: passed (seed ${seed})`);
  return failed ? 1 : 0;
}
