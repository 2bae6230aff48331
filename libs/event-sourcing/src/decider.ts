import type { Event } from '@liangxin/contracts';

/**
 * A decider is the whole of a domain rule set, as plain functions (after Emmett / Jérémie Chassaing):
 * - decide: given a command and the current state, which events happen (or a DomainError is thrown)
 * - evolve: how one event changes the state
 * - initialState: the state of a stream with no events
 * No framework, no I/O: rules read in one place and are tested with given/when/then.
 */
export type Decider<Command, State, E extends Event> = {
  decide: (command: Command, state: State) => E[];
  evolve: (state: State, event: E) => State;
  initialState: () => State;
};

export const fold = <State, E extends Event>(decider: Pick<Decider<unknown, State, E>, 'evolve' | 'initialState'>, events: readonly E[]): State =>
  events.reduce(decider.evolve, decider.initialState());

/**
 * A rule was broken. `code` is stable (clients switch on it), `field` names the input at fault,
 * `message` is written for an officer.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    /** which HTTP-ish class of failure this is; the gateway maps it to a status */
    readonly kind: 'invalid' | 'not_found' | 'conflict' | 'forbidden' = 'invalid',
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError =>
  e instanceof DomainError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'DomainError');
