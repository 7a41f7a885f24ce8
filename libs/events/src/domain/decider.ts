/** A domain event before it is recorded: a discriminated union member. */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

/**
 * Domain logic as pure functions: `decide(command, state) → events`, `evolve(state, event) → state`.
 * No I/O, no clock, no ids: those come in with the command.
 */
export interface Decider<State, Command, Event extends DomainEvent> {
  initialState(): State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** Folds events into a state. */
export function fold<State, Event extends DomainEvent>(
  evolve: (state: State, event: Event) => State,
  initial: State,
  events: readonly Event[],
): State {
  return events.reduce(evolve, initial);
}
