import { createHash, timingSafeEqual } from 'node:crypto';
import type { NamedCredential, Role } from './credentials-file.js';

/** Who a request acts as: the `actor` of its events, and what it may do. */
export interface Principal {
  name: string;
  role: Role;
}

/** The actor of `ADMIN_TOKEN`. */
export const ADMIN_ACTOR = 'admin';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

interface Entry extends Principal {
  digest: Buffer;
}

/**
 * The tokens a service accepts: `ADMIN_TOKEN` (acting as `admin`) and the named credentials.
 * Every token is compared, as SHA-256 digests of equal length in constant time, whatever matches
 * first: neither a token's length nor its place in the file shows in the time an answer takes.
 */
export class CredentialSet {
  private readonly entries: Entry[];

  constructor(adminToken: string, named: readonly NamedCredential[] = []) {
    this.entries = [
      { name: ADMIN_ACTOR, role: 'admin', digest: digest(adminToken) },
      ...named.map((c) => ({ name: c.name, role: c.role, digest: digest(c.token) })),
    ];
  }

  /** The named credentials (without `ADMIN_TOKEN`'s). */
  get size(): number {
    return this.entries.length - 1;
  }

  resolve(token: string): Principal | null {
    const given = digest(token);
    let found: Entry | null = null;
    for (const entry of this.entries) if (timingSafeEqual(given, entry.digest) && !found) found = entry;
    return found && { name: found.name, role: found.role };
  }
}
