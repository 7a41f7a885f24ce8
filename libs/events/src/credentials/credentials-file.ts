/** What a named credential may do: `admin` everything, `viewer` only read. */
export type Role = 'admin' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'viewer'];

/** One entry of `ADMIN_TOKENS_FILE`: its name is the `actor` of every event its requests cause. */
export interface NamedCredential {
  name: string;
  token: string;
  role: Role;
}

/**
 * The actor of `ADMIN_TOKEN`, of what the services do on their own, and of a request without a
 * credential: no entry may take them, so that an event's actor always says who it was.
 */
export const RESERVED_NAMES: readonly string[] = ['admin', 'system', 'anonymous'];

// Names end up in event metadata and in `?actor=` filters; tokens go in a header.
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const TOKEN = /^[\x21-\x7e]{8,512}$/;
const FIELDS = new Set(['name', 'token', 'role']);

/** A credentials file that cannot be used; names the file and, when one is at fault, the entry. */
export class CredentialsFileError extends Error {
  readonly code = 'CREDENTIALS_FILE_INVALID';

  constructor(
    readonly file: string,
    readonly problem: string,
    /** The index of the entry at fault (0-based), if one is. */
    readonly entry?: number,
  ) {
    super(`ADMIN_TOKENS_FILE ${file}: ${entry === undefined ? '' : `entry ${entry}: `}${problem}`);
    this.name = 'CredentialsFileError';
  }
}

/**
 * Parses and validates the text of a credentials file: a JSON array of `{name, token, role}`, names
 * and tokens unique, no other field. Pure: the caller reads the file.
 */
export function parseCredentialsFile(file: string, text: string): NamedCredential[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CredentialsFileError(file, `not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new CredentialsFileError(file, 'must be a JSON array of {name, token, role}');
  const names = new Map<string, number>();
  const tokens = new Map<string, number>();
  return parsed.map((raw: unknown, i) => {
    const entry = parseEntry(file, raw, i);
    const sameName = names.get(entry.name);
    if (sameName !== undefined) throw new CredentialsFileError(file, `name "${entry.name}" is also entry ${sameName}'s`, i);
    const sameToken = tokens.get(entry.token);
    if (sameToken !== undefined)
      throw new CredentialsFileError(file, `"${entry.name}" has the same token as entry ${sameToken}`, i);
    names.set(entry.name, i);
    tokens.set(entry.token, i);
    return entry;
  });
}

function parseEntry(file: string, raw: unknown, i: number): NamedCredential {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new CredentialsFileError(file, 'must be an object {name, token, role}', i);
  const e = raw as Record<string, unknown>;
  const named = typeof e.name === 'string' && e.name.length > 0 && e.name.length <= 64;
  const fail = (problem: string) => new CredentialsFileError(file, named ? `"${String(e.name)}": ${problem}` : problem, i);
  const unknown = Object.keys(e).filter((k) => !FIELDS.has(k));
  if (unknown.length) throw fail(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  if (typeof e.name !== 'string' || !NAME.test(e.name)) throw fail('name must be 1-64 characters of A-Z a-z 0-9 . _ @ -');
  if (RESERVED_NAMES.includes(e.name)) throw fail(`name "${e.name}" is reserved`);
  if (typeof e.token !== 'string' || !TOKEN.test(e.token)) throw fail('token must be 8-512 printable characters without spaces');
  if (typeof e.role !== 'string' || !ROLES.includes(e.role as Role)) throw fail('role must be "admin" or "viewer"');
  return { name: e.name, token: e.token, role: e.role as Role };
}
