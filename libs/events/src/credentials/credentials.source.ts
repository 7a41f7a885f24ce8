import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { CredentialSet, type Principal } from './credential-set.js';
import { CredentialsFileError, parseCredentialsFile } from './credentials-file.js';

export interface CredentialsLog {
  log(fields: Record<string, unknown>): void;
  error(fields: Record<string, unknown>): void;
}

export interface CredentialsSourceOptions {
  adminToken: string;
  /** The credentials file; null: only `ADMIN_TOKEN`. */
  file: string | null;
  /** Named by the operator (ADMIN_TOKENS_FILE): it must exist at boot. The default may be absent. */
  required: boolean;
  log: CredentialsLog;
  /** How often the file's stat is looked at, and how long a change settles before it is read. */
  pollMs?: number;
  settleMs?: number;
}

/** The stat poll catches an editor's write-then-rename as well as an in-place write, and a file that appears. */
const POLL_MS = 500;
const SETTLE_MS = 150;

/**
 * The credentials a service accepts, re-read when the file changes. At boot a bad file throws
 * (the service does not start); later, a broken edit is logged and the last good set stays in
 * force, while a file removed revokes every named credential.
 */
export class CredentialsSource {
  private current: CredentialSet;
  private settle: NodeJS.Timeout | null = null;
  private watching = false;

  constructor(private readonly options: CredentialsSourceOptions) {
    this.current = this.read(true) ?? new CredentialSet(options.adminToken);
  }

  resolve(token: string): Principal | null {
    return this.current.resolve(token);
  }

  get size(): number {
    return this.current.size;
  }

  start(): void {
    const { file } = this.options;
    if (!file || this.watching) return;
    this.watching = true;
    watchFile(file, { interval: this.options.pollMs ?? POLL_MS, persistent: false }, this.changed);
  }

  stop(): void {
    if (this.settle) clearTimeout(this.settle);
    this.settle = null;
    if (this.watching && this.options.file) unwatchFile(this.options.file, this.changed);
    this.watching = false;
  }

  private readonly changed = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.reload();
    }, this.options.settleMs ?? SETTLE_MS);
  };

  private reload(): void {
    try {
      const next = this.read(false);
      this.current = next ?? new CredentialSet(this.options.adminToken);
      this.options.log.log({
        msg: next ? 'credentials file read' : 'credentials file gone: named credentials revoked',
        file: this.options.file,
        credentials: this.current.size,
      });
    } catch (err) {
      this.options.log.error({
        msg: 'credentials file refused, the last good credentials stay in force',
        file: this.options.file,
        error: (err as Error).message,
      });
    }
  }

  /** The set the file holds; null when there is no file (an error at boot if it was required). */
  private read(atBoot: boolean): CredentialSet | null {
    const { file, adminToken } = this.options;
    if (!file) return null;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing && !(atBoot && this.options.required)) return null;
      throw new CredentialsFileError(file, missing ? 'no such file' : `cannot be read (${(err as Error).message})`);
    }
    return new CredentialSet(adminToken, parseCredentialsFile(file, text));
  }
}
