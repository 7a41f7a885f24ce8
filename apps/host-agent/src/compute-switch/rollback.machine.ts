/**
 * A switch change on a host, as a state machine (DESIGN "Rollback and repair"): applied and
 * awaiting proof (saved config durable, deadline = applied + rollbackTimeoutMs) → proven (a
 * management round trip sent after the change came back: the saved config is discarded) or rolled
 * back (no such round trip by the deadline: the saved config is restored and reported). Pure: time
 * comes in with each input; the host feeds it its round-trip results and timer ticks, and carries
 * out the effects it answers. It never looks at the link's settings, only at round trips.
 */

/** Replies already on their way at the deadline get this long to land (a heartbeat waits up to 1 s). */
export const LATE_REPLY_MS = 500;
/** A change whose deadline passed while the agent was down: round trips it may still try first. */
export const RESUME_GRACE_MS = 800;

interface Base {
  switchId: string;
  /** The revision applied (or, rolled back, the one refused). */
  revision: number;
  /** The latest revision a round trip proved the host connected under (0: none yet). */
  provenRevision: number;
}

export type ChangeState =
  /** The revision runs and a round trip came back through it. */
  | (Base & { phase: 'proven' })
  /** Applied with `?rollback=false`: no saved config, no deadline; a round trip still proves it. */
  | (Base & { phase: 'unguarded'; appliedAt: number })
  | (Base & { phase: 'awaiting'; savedRevision: number; appliedAt: number; deadline: number; rollbackAt: number })
  /** The revision was refused: the host runs `restoredRevision` again and must not apply `revision` anew. */
  | (Base & { phase: 'rolled_back'; restoredRevision: number; reason: string });

export type ChangeInput =
  /** A desired revision newer than the running one arrived. */
  | { type: 'apply'; switchId: string; revision: number; runningRevision: number; rollback: boolean; timeoutMs: number; at: number }
  /** A management round trip sent at `sentAt` came back. */
  | { type: 'round-trip-back'; sentAt: number; at: number }
  | { type: 'round-trip-failed'; at: number }
  | { type: 'tick'; at: number }
  /** The agent started again with this state from its store. */
  | { type: 'resume'; at: number };

export type ChangeEffect =
  /** Do not apply: this revision was rolled back here; say so again. */
  | { type: 'skip' }
  /** Keep the running config (durably) before applying. */
  | { type: 'save' }
  | { type: 'apply' }
  /** The change is proven, or applied unguarded: drop the saved config. */
  | { type: 'discard' }
  /** Put the saved config back now. */
  | { type: 'restore'; reason: string }
  /** Tick again at `at`. */
  | { type: 'wake'; at: number };

export interface Decision {
  state: ChangeState | null;
  effects: ChangeEffect[];
}

const none = (state: ChangeState | null): Decision => ({ state, effects: [] });

export function decide(state: ChangeState | null, input: ChangeInput): Decision {
  switch (input.type) {
    case 'apply':
      return onApply(state, input);
    case 'round-trip-back':
      return onRoundTripBack(state, input.sentAt);
    case 'round-trip-failed':
      // A failed round trip alone proves nothing either way: only the deadline rolls back.
      return none(state);
    case 'tick':
      return onTick(state, input.at);
    case 'resume':
      return onResume(state, input.at);
    default: {
      const never: never = input;
      throw new Error(`unknown change input ${(never as { type: string }).type}`);
    }
  }
}

function onApply(state: ChangeState | null, input: Extract<ChangeInput, { type: 'apply' }>): Decision {
  // Without a record (a switch run before changes were tracked) the running revision is the one it was connected under.
  const provenRevision = state?.provenRevision ?? input.runningRevision;
  if (state?.phase === 'rolled_back' && input.revision <= state.revision) return { state, effects: [{ type: 'skip' }] };
  const { switchId, revision } = input;
  // States are written out as literals, not spread from a common base: on this V8 a spread followed
  // by properties the source lacks takes microseconds, and a push makes one per host.
  if (!input.rollback) {
    const effects: ChangeEffect[] = state?.phase === 'awaiting' ? [{ type: 'discard' }, { type: 'apply' }] : [{ type: 'apply' }];
    return { state: { switchId, revision, provenRevision, phase: 'unguarded', appliedAt: input.at }, effects };
  }
  const deadline = input.at + input.timeoutMs;
  const rollbackAt = deadline + LATE_REPLY_MS;
  // A change on top of one not yet proven keeps the config saved before it: the last one known to work.
  const saving = state?.phase !== 'awaiting';
  const savedRevision = state?.phase === 'awaiting' ? state.savedRevision : input.runningRevision;
  const apply: ChangeEffect = { type: 'apply' };
  const wake: ChangeEffect = { type: 'wake', at: rollbackAt };
  return {
    state: { switchId, revision, provenRevision, phase: 'awaiting', savedRevision, appliedAt: input.at, deadline, rollbackAt },
    effects: saving ? [{ type: 'save' }, apply, wake] : [apply, wake],
  };
}

function onRoundTripBack(state: ChangeState | null, sentAt: number): Decision {
  if (!state) return none(state);
  // Only a round trip that left after the change went through it.
  if ((state.phase === 'awaiting' || state.phase === 'unguarded') && sentAt > state.appliedAt) {
    const proven: ChangeState = { switchId: state.switchId, revision: state.revision, provenRevision: state.revision, phase: 'proven' };
    return { state: proven, effects: state.phase === 'awaiting' ? [{ type: 'discard' }] : [] };
  }
  return none(state);
}

function onTick(state: ChangeState | null, at: number): Decision {
  if (state?.phase !== 'awaiting') return none(state);
  if (at < state.rollbackAt) return { state, effects: [{ type: 'wake', at: state.rollbackAt }] };
  const reason =
    `no management round trip came back within ${state.deadline - state.appliedAt} ms of applying revision ${state.revision}; ` +
    `restored revision ${state.savedRevision}`;
  return {
    state: { switchId: state.switchId, revision: state.revision, provenRevision: state.provenRevision, phase: 'rolled_back', restoredRevision: state.savedRevision, reason },
    effects: [{ type: 'restore', reason }],
  };
}

function onResume(state: ChangeState | null, at: number): Decision {
  if (state?.phase !== 'awaiting') return none(state);
  // Down past the deadline: a short grace of round trips before rolling back, never a wait anew.
  const next = at >= state.deadline ? { ...state, rollbackAt: at + RESUME_GRACE_MS } : state;
  return { state: next, effects: [{ type: 'wake', at: next.rollbackAt }] };
}

/** What `GET /hosts/:id` shows of a change awaiting its proof. */
export function pendingRollbackOf(state: ChangeState | null): { switchId: string; savedRevision: number; deadline: number } | null {
  return state?.phase === 'awaiting' ? { switchId: state.switchId, savedRevision: state.savedRevision, deadline: state.deadline } : null;
}

/** The revision of a switch under which the host was last known connected (what a repair asks back). */
export const lastConnectedRevision = (state: ChangeState | null): number => state?.provenRevision ?? 0;
