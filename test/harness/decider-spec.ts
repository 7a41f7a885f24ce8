import type { Decider, DomainEvent } from '@vnet/events';

/**
 * given/when/then for deciders, with no infrastructure:
 * `spec(decider).given([events]).when(command).then([events])` or `.thenThrows(ErrorClass)`.
 */
export function deciderSpec<S, C, E extends DomainEvent>(decider: Decider<S, C, E>) {
  return {
    given(events: E[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: E[]): void {
              expect(run()).toEqual(expected);
            },
            thenThrows(errorClass: abstract new (...args: any[]) => Error, message?: string | RegExp): void {
              expect(run).toThrow(errorClass as any);
              if (message) expect(run).toThrow(message);
            },
          };
        },
      };
    },
  };
}
