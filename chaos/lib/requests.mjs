// What the chaos scenarios share to drive the services: their numeric options, and a request that
// never throws (an answer, or status 0 with the error) and says how long it took.
import { TOKEN } from '../../bench/lib/services.mjs';

/** `--name N` among the scenario's arguments, as a number, or `fallback`. */
export function option(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

/** A request with the admin token: `{status, json, ms}`, or `{status: 0, error, ms}` when none came. */
export async function request(base, method, path, body, headers = {}, timeoutMs = 30000) {
  const t0 = Date.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* keep null */
    }
    return { status: res.status, json, ms: Date.now() - t0 };
  } catch (err) {
    return { status: 0, error: String(err.message ?? err), ms: Date.now() - t0 };
  }
}
