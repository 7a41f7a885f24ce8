// Subject rules of NATS, as far as the transport needs them: tokens separated by dots, `*` matches
// one token, `>` matches one or more and may only come last.

export function isValidSubject(subject: string): boolean {
  if (subject.length === 0 || /\s/.test(subject)) return false;
  const tokens = subject.split('.');
  return tokens.every((token, i) => {
    if (token.length === 0) return false;
    if (token === '>') return i === tokens.length - 1;
    return token === '*' || !/[*>]/.test(token);
  });
}

/** True when every subject that `subject` can match is also matched by `filter` (both may hold wildcards). */
export function subjectCovers(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return i < s.length;
    if (i >= s.length || s[i] === '>') return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

const NAME_RE = /^[A-Za-z0-9_-]+$/;

export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

/**
 * The durable consumer name of a service for one pattern: `compute-manager` and `hosts.*.reported`
 * give `compute-manager__hosts_ANY_reported`. Durable names cannot hold `.`, `*` or `>`.
 */
export function consumerName(durablePrefix: string, pattern: string): string {
  const body = pattern
    .split('.')
    .map((token) => (token === '*' ? 'ANY' : token === '>' ? 'ALL' : token.replace(/[^A-Za-z0-9_-]/g, '-')))
    .join('_');
  return `${durablePrefix}__${body}`;
}
