import { type ChangeEffect, type ChangeInput, type ChangeState, decide, LATE_REPLY_MS, pendingRollbackOf, RESUME_GRACE_MS } from './rollback.machine.js';

/** given(inputs).when(input).then(effects, phase): the machine fed one input after another, time in the inputs. */
function given(inputs: ChangeInput[], initial: ChangeState | null = null) {
  const state = inputs.reduce<ChangeState | null>((s, input) => decide(s, input).state, initial);
  return {
    state,
    when(input: ChangeInput) {
      const decision = decide(state, input);
      return {
        decision,
        then(effects: ChangeEffect[], phase: ChangeState['phase'] | null): void {
          expect(decision.effects).toEqual(effects);
          expect(decision.state?.phase ?? null).toBe(phase);
        },
      };
    },
  };
}

const T0 = 1_000_000;
const apply = (revision: number, at = T0, rollback = true, runningRevision = revision - 1): ChangeInput => ({
  type: 'apply', switchId: 's1', revision, runningRevision, rollback, timeoutMs: 3000, at,
});
const back = (sentAt: number, at = sentAt + 5): ChangeInput => ({ type: 'round-trip-back', sentAt, at });
const tick = (at: number): ChangeInput => ({ type: 'tick', at });

describe('rollback machine', () => {
  it('a change with the safety net saves the running config first and asks to be woken at the deadline', () => {
    given([]).when(apply(4)).then([{ type: 'save' }, { type: 'apply' }, { type: 'wake', at: T0 + 3000 + LATE_REPLY_MS }], 'awaiting');
    expect(pendingRollbackOf(given([apply(4)]).state)).toEqual({ switchId: 's1', savedRevision: 3, deadline: T0 + 3000 });
  });

  it('a round trip sent after the change that comes back before the deadline proves it: the saved config is discarded', () => {
    const proven = given([apply(4)]).when(back(T0 + 1200));
    proven.then([{ type: 'discard' }], 'proven');
    expect(proven.decision.state?.provenRevision).toBe(4);
    expect(pendingRollbackOf(proven.decision.state)).toBeNull();
    // Nothing left to roll back at the deadline.
    given([apply(4), back(T0 + 1200)]).when(tick(T0 + 10_000)).then([], 'proven');
  });

  it('a reply to a round trip sent before the change proves nothing', () => {
    given([apply(4)]).when(back(T0 - 10, T0 + 100)).then([], 'awaiting');
  });

  it('no round trip back by the deadline: rolled back, at the deadline plus the late-reply allowance, naming why', () => {
    const rollbackAt = T0 + 3000 + LATE_REPLY_MS;
    given([apply(4)]).when(tick(T0 + 3000)).then([{ type: 'wake', at: rollbackAt }], 'awaiting');
    const rolled = given([apply(4)]).when(tick(rollbackAt));
    expect(rolled.decision.effects).toEqual([{ type: 'restore', reason: expect.stringMatching(/within 3000 ms of applying revision 4; restored revision 3/) }]);
    expect(rolled.decision.state).toMatchObject({ phase: 'rolled_back', revision: 4, restoredRevision: 3 });
    expect(LATE_REPLY_MS).toBeLessThan(1000);
  });

  it('round trips that fail never roll back before the deadline', () => {
    const fails: ChangeInput[] = [1, 2, 3, 4, 5].map((i) => ({ type: 'round-trip-failed', at: T0 + i * 500 }));
    given([apply(4), ...fails]).when(tick(T0 + 2999)).then([{ type: 'wake', at: T0 + 3000 + LATE_REPLY_MS }], 'awaiting');
  });

  it('a revision rolled back is skipped when asked again; a newer one is applied, saving the restored config', () => {
    const rolledBack = [apply(4), tick(T0 + 5000)];
    given(rolledBack).when(apply(4, T0 + 6000, true, 3)).then([{ type: 'skip' }], 'rolled_back');
    given(rolledBack).when(apply(5, T0 + 7000, true, 3)).then([{ type: 'save' }, { type: 'apply' }, { type: 'wake', at: T0 + 7000 + 3000 + LATE_REPLY_MS }], 'awaiting');
    expect(pendingRollbackOf(given([...rolledBack, apply(5, T0 + 7000, true, 3)]).state)?.savedRevision).toBe(3);
  });

  it('a second change before the first is proven keeps the config saved before the first, with a new deadline', () => {
    const second = given([apply(4)]).when(apply(5, T0 + 1000, true, 4));
    second.then([{ type: 'apply' }, { type: 'wake', at: T0 + 4000 + LATE_REPLY_MS }], 'awaiting');
    expect(pendingRollbackOf(second.decision.state)).toEqual({ switchId: 's1', savedRevision: 3, deadline: T0 + 4000 });
  });

  it('rollback=false: nothing saved, nothing pending, no deadline; a later round trip still records the host connected under it', () => {
    given([]).when(apply(4, T0, false)).then([{ type: 'apply' }], 'unguarded');
    expect(pendingRollbackOf(given([apply(4, T0, false)]).state)).toBeNull();
    given([apply(4, T0, false)]).when(tick(T0 + 60_000)).then([], 'unguarded');
    // Never connected under it: the last revision it was connected under stays the one before.
    expect(given([apply(3), back(T0 + 100), apply(4, T0 + 1000, false)]).state?.provenRevision).toBe(3);
  });

  it('restarted before the deadline: the wait resumes to the stored deadline', () => {
    given([apply(4)]).when({ type: 'resume', at: T0 + 1000 }).then([{ type: 'wake', at: T0 + 3000 + LATE_REPLY_MS }], 'awaiting');
    given([apply(4), { type: 'resume', at: T0 + 1000 }]).when(back(T0 + 1500)).then([{ type: 'discard' }], 'proven');
  });

  it('restarted after the deadline passed: a short grace of round trips, then rolled back', () => {
    const at = T0 + 60_000;
    const resumed = given([apply(4)]).when({ type: 'resume', at });
    resumed.then([{ type: 'wake', at: at + RESUME_GRACE_MS }], 'awaiting');
    expect(RESUME_GRACE_MS).toBeLessThanOrEqual(1000);
    given([apply(4), { type: 'resume', at }]).when(tick(at + 100)).then([{ type: 'wake', at: at + RESUME_GRACE_MS }], 'awaiting');
    given([apply(4), { type: 'resume', at }]).when(back(at + 200)).then([{ type: 'discard' }], 'proven');
    expect(given([apply(4), { type: 'resume', at }]).when(tick(at + RESUME_GRACE_MS)).decision.state?.phase).toBe('rolled_back');
  });
});
