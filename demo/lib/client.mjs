// The demo's HTTP clients of the three services: the admin token on every call, and the correlation
// id of the step under way, so that the audit at the end can follow each step through the logs.
import { request } from '../../chaos/lib/requests.mjs';

/**
 * A client of one service. `trace()` answers the correlation id to send (the step's), or null.
 * Each call answers `{status, json}` (status 0 with `error` when no answer came).
 */
export function client(base, token, trace = () => null) {
  const call = (method, path, body, headers = {}) => {
    const id = trace();
    return request(base, method, path, body, {
      authorization: `Bearer ${token}`,
      ...(id ? { 'x-correlation-id': id } : {}),
      ...headers,
    });
  };
  return {
    base,
    get: (path, headers) => call('GET', path, undefined, headers),
    post: (path, body, headers) => call('POST', path, body, headers),
    put: (path, body, headers) => call('PUT', path, body, headers),
    patch: (path, body, headers) => call('PATCH', path, body, headers),
    delete: (path, headers) => call('DELETE', path, undefined, headers),
  };
}

/** What an answer was, for a check line: `201`, or `409 NETWORK_NOT_ON_TARGET`. */
export const answer = (res) =>
  res.status ? `${res.status}${res.json?.code ? ` ${res.json.code}` : ''}` : `no answer (${res.error})`;

/** Every event of a service's `/events` matching `query`, page by page. */
export async function readLog(service, query = '') {
  const events = [];
  for (let after = 0; ;) {
    const res = await service.get(`/events?limit=1000&after=${after}${query ? `&${query}` : ''}`);
    if (res.status !== 200) throw new Error(`GET /events answered ${answer(res)}`);
    events.push(...res.json.events);
    if (res.json.next === null) return events;
    after = res.json.next;
  }
}

/** A host's whole journal on the host agent. */
export async function readJournal(hostAgent, hostId) {
  const entries = [];
  for (let after = 0; ;) {
    const res = await hostAgent.get(`/hosts/${hostId}/events?limit=1000&after=${after}`);
    if (res.status !== 200) throw new Error(`GET /hosts/${hostId}/events answered ${answer(res)}`);
    entries.push(...res.json.events);
    if (res.json.next === null) return entries;
    after = res.json.next;
  }
}
