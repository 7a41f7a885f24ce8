// How the demo tells its story: a numbered step says what it does and what it checks, then one line
// per check, ✓ with the figures seen, or ✗ with what was expected and what was seen, which ends the run.

/** A check that did not hold: the run stops there, and exits 1. */
export class CheckFailed extends Error {
  constructor(what, expected, seen) {
    super(`${what}: expected ${expected}, saw ${seen}`);
    this.name = 'CheckFailed';
    this.what = what;
    this.expected = expected;
    this.seen = seen;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A figure as it is printed: short JSON for anything but a string. */
export const show = (v) => {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text === undefined ? 'nothing' : text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

export class Narrator {
  constructor(out = (line) => process.stdout.write(`${line}\n`)) {
    this.out = out;
    this.steps = 0;
    this.checks = 0;
  }

  /** A new step: its title, what it does and what it checks. */
  step(title, { does, checks }) {
    this.steps += 1;
    this.out('');
    this.out(`${String(this.steps).padStart(2)}. ${title}`);
    this.out(`    does:   ${does}`);
    this.out(`    checks: ${checks}`);
  }

  /** Says something that is neither a step nor a check (where the stack was found, say). */
  note(line) {
    this.out(`    ${line}`);
  }

  /**
   * A check: ✓ `what` (`figures`) when `ok`, else ✗ and CheckFailed with `expected` and what `seen` was.
   * `figures` is what is printed on success, `seen` by default.
   */
  check(what, ok, { expected, seen, figures = seen }) {
    if (!ok) {
      this.out(`    ✗ ${what}`);
      this.out(`        expected: ${expected}`);
      this.out(`        saw:      ${show(seen)}`);
      throw new CheckFailed(what, expected, show(seen));
    }
    this.checks += 1;
    this.out(`    ✓ ${what}${figures === undefined ? '' : ` (${typeof figures === 'string' ? figures : show(figures)})`}`);
    return seen;
  }

  /** `check(what, actual === expected)`, with both printed. */
  equal(what, actual, expected, figures) {
    const ok = show(actual) === show(expected);
    return this.check(what, ok, { expected: show(expected), seen: actual, figures: figures ?? actual });
  }

  /**
   * Polls `probe` until `accept(value)` holds or `timeoutMs` passes: `{value, ok, took}` (`took` printed
   * as seconds), with `error` when the last probe threw.
   */
  async poll(probe, accept, timeoutMs) {
    const t0 = Date.now();
    for (;;) {
      let value;
      let error = null;
      try {
        value = await probe();
        if (accept(value)) return { value, ok: true, took: seconds(Date.now() - t0) };
      } catch (err) {
        error = err;
      }
      if (Date.now() - t0 > timeoutMs) return { value, ok: false, error, took: seconds(Date.now() - t0) };
      await sleep(200);
    }
  }

  /**
   * `poll`, then a check of it: the ✓ line says how long it took (after `figures(value)` when given),
   * the ✗ line the last value seen. Answers the value.
   */
  async eventually(what, probe, accept, { timeoutMs = 20000, expected = 'it within the time allowed', figures } = {}) {
    const { value, ok, error, took } = await this.poll(probe, accept, timeoutMs);
    if (!ok)
      this.check(what, false, {
        expected: `${expected} within ${timeoutMs / 1000} s`,
        seen: error ? String(error.message ?? error) : value,
      });
    const shown = figures ? figures(value) : undefined;
    this.check(what, true, { seen: value, figures: shown === undefined ? took : `${shown}; ${took}` });
    return value;
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
