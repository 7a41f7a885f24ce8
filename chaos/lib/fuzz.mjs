// Sends the hostile requests of chaos/lib/hostile-requests.mjs to a running service and checks
// its answers: no 5xx, every 4xx in the error shape of CONTRACT §2 with a `code`, nothing invalid
// accepted, and nothing in the service's event log but what accepted requests caused.
import http from 'node:http';
import fc from 'fast-check';
import { hostileRequests } from './hostile-requests.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A seed from the environment (`VNET_FUZZ_SEED`) or a fresh one. */
export function fuzzSeed(env = process.env) {
  const given = env.VNET_FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n)) throw new Error(`VNET_FUZZ_SEED must be an integer, got ${given}`);
    return n;
  }
  return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
}

/** One raw HTTP request: any method with any body, headers as given (no client-side fixing). */
export function send(baseUrl, { method, path, headers = {}, body }, agent, timeoutMs = 15000) {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    let req;
    try {
      req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode, headers: res.headers, text, json, ms: Date.now() - t0 });
          });
          res.on('error', (err) => resolve({ status: 0, error: String(err.message ?? err), ms: Date.now() - t0 }));
        },
      );
    } catch (err) {
      // The client itself refused the request (a header Node will not send): not sent, not counted.
      resolve({ status: -1, error: String(err.message ?? err), ms: 0 });
      return;
    }
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ status: 0, error: String(err.message ?? err), ms: Date.now() - t0 }));
    if (payload) req.write(payload);
    req.end();
  });
}

/** The problem with a 4xx body, or null when it is CONTRACT §2's error shape with a code. */
export function errorShapeProblem(status, json) {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return 'the body is not a JSON object';
  if (json.statusCode !== status) return `statusCode ${JSON.stringify(json.statusCode)} is not ${status}`;
  for (const key of ['error', 'message', 'code']) if (typeof json[key] !== 'string' || json[key] === '') return `no ${key}`;
  if (!/^[A-Z][A-Z0-9_]*$/.test(json.code)) return `code ${JSON.stringify(json.code)} is not a MACHINE_CODE`;
  return null;
}

async function allEvents(baseUrl, token, after) {
  const out = [];
  let cursor = after;
  for (;;) {
    const res = await fetch(`${baseUrl}/events?limit=1000${cursor !== null ? `&after=${cursor}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`GET /events answered ${res.status}: ${await res.text()}`);
    const page = await res.json();
    out.push(...page.events);
    if (page.events.length === 0 || page.next === null) return { events: out, last: page.events.at(-1)?.position ?? cursor };
    cursor = page.next;
  }
}

/** The position of the last event recorded so far (null for an empty log), once the log is quiet. */
export async function quietLogEnd(baseUrl, token, { quietMs = 1500, timeoutMs = 60000 } = {}) {
  const t0 = Date.now();
  let { last } = await allEvents(baseUrl, token, null);
  for (;;) {
    await sleep(quietMs);
    const more = await allEvents(baseUrl, token, last);
    if (more.events.length === 0) return last;
    last = more.last;
    if (Date.now() - t0 > timeoutMs) return last;
  }
}

/** The probe's answer once two reads in a row agree (what earlier runs pushed has landed). */
async function steadyState(probe, { intervalMs = 1500, timeoutMs = 30000 } = {}) {
  const t0 = Date.now();
  let last = await probe();
  for (;;) {
    await sleep(intervalMs);
    const now = await probe();
    if (now === last || Date.now() - t0 > timeoutMs) return now;
    last = now;
  }
}

/**
 * Runs `count` hostile requests against one service. `known` maps path parameter names to ids
 * that exist; `check(request, answer)` may add a problem of its own (such as an OpenAPI mismatch);
 * `hasLog` says the service exposes `/events` (then nothing may appear there but what accepted
 * requests caused); `stateProbe()` answers a text of what the service holds (compared before and
 * after when no write was accepted). `accepted` collects the correlation ids of accepted writes; pass
 * the same set to the runs of all services, since what one accepts may be recorded by another (a
 * network pushed to a host, reported to the compute manager). Answers a summary with the problems found (each with the request that caused it).
 */
export async function fuzzService({
  name,
  url,
  token,
  seed,
  count,
  known = {},
  concurrency = 8,
  check,
  hasLog,
  stateProbe,
  oddValues = true,
  settleMs = 2000,
  accepted = new Set(),
}) {
  const doc = await (await fetch(`${url}/docs-json`)).json();
  const requests = hostileRequests(fc, doc, {
    seed,
    count,
    known,
    oddValues,
    // An event stream (GET /topology/events) never ends: its answer would be a timeout, not a status.
    skip: (op) => op.path === '/health' || Object.values(op.responses).some((r) => r?.content?.['text/event-stream']),
  });
  const before = hasLog ? await quietLogEnd(url, token) : null;
  const stateBefore = stateProbe ? await steadyState(stateProbe) : null;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const problems = [];
  const acceptedBefore = accepted.size;
  const byStatus = {};
  const byKind = {};
  let notSent = 0;
  let slowest = 0;
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const i = next++;
        const r = requests[i];
        const correlationId = `fz-${seed >>> 0}-${name}-${i}`;
        const headers = {
          'x-correlation-id': correlationId,
          ...(r.noAuth ? {} : { authorization: `Bearer ${token}` }),
          ...(r.body !== undefined && r.contentType !== '' ? { 'content-type': r.contentType } : {}),
          ...r.headers,
        };
        if (headers.authorization === null) delete headers.authorization;
        const answer = await send(url, { method: r.method, path: r.path, headers, body: r.body }, agent);
        if (answer.status === -1) {
          notSent++;
          continue;
        }
        slowest = Math.max(slowest, answer.ms);
        byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
        (byKind[r.kind] ??= {})[answer.status] = (byKind[r.kind]?.[answer.status] ?? 0) + 1;
        const problem = problemOf(r, answer) ?? (check ? await check(r, answer) : null);
        if (problem)
          problems.push({
            problem,
            request: describe(r),
            status: answer.status,
            answer: (answer.text ?? answer.error ?? '').slice(0, 400),
          });
        if (answer.status >= 200 && answer.status < 300 && r.method !== 'GET')
          accepted.add(answer.headers['x-correlation-id'] ?? correlationId);
      }
    }),
  );
  agent.destroy();
  const elapsedMs = Date.now() - t0;
  let recorded = 0;
  let fromAccepted = 0;
  if (hasLog) {
    await sleep(settleMs);
    const { events } = await allEvents(url, token, before);
    recorded = events.length;
    for (const e of events) {
      if (accepted.has(e.metadata?.correlationId)) fromAccepted++;
      else
        problems.push({
          problem: 'an event the accepted requests did not cause',
          event: { position: e.position, type: e.type, streamId: e.streamId, correlationId: e.metadata?.correlationId },
        });
    }
  }
  if (stateProbe) {
    await sleep(settleMs);
    const stateAfter = await stateProbe();
    // Without an accepted write, what the service holds must not have moved.
    if (accepted.size === acceptedBefore && stateAfter !== stateBefore)
      problems.push({
        problem: 'the service state changed although no write was accepted',
        before: stateBefore.slice(0, 400),
        after: stateAfter.slice(0, 400),
      });
  }
  return {
    name,
    seed,
    sent: requests.length - notSent,
    notSent,
    elapsedMs,
    slowestMs: slowest,
    byStatus,
    byKind,
    accepted: accepted.size - acceptedBefore,
    recorded,
    fromAccepted,
    problems,
  };
}

function problemOf(r, answer) {
  if (answer.status === 0) return `no answer: ${answer.error}`;
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (answer.status >= 400) {
    const shape = errorShapeProblem(answer.status, answer.json);
    return shape ? `a ${answer.status} not in the error shape: ${shape}` : null;
  }
  if (r.valid === false)
    return `accepted (${answer.status}) a request invalid by construction (${r.kind}${r.field ? `, field ${r.field}` : ''})`;
  return null;
}

function describe(r) {
  const body = r.body === undefined ? '' : ` body(${r.body.length})=${r.body.slice(0, 160)}`;
  const headers = r.headers ? ` headers=${JSON.stringify(r.headers).slice(0, 160)}` : '';
  return `[${r.kind}] ${r.method} ${r.path.slice(0, 200)}${r.contentType !== 'application/json' ? ` type=${JSON.stringify(r.contentType)}` : ''}${headers}${body}`;
}

/** A short text summary of one service's run (the figures the README quotes). */
export function summarize(result) {
  const statuses = Object.entries(result.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return `${result.name}: ${result.sent} requests in ${(result.elapsedMs / 1000).toFixed(1)} s (slowest ${result.slowestMs} ms), answers ${statuses}; ${result.accepted} accepted writes, ${result.recorded} events recorded (${result.fromAccepted} from accepted requests); ${result.problems.length} problems`;
}
