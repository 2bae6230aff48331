import type { Event } from '@liangxin/contracts';
import { type Decider, fold } from './decider';

/**
 * Given/when/then for deciders:
 *   DeciderSpecification.for(decider).given([...events]).when(command).then([...events])
 *   ...when(command).thenThrows(DomainError with code 'X')
 */
export const DeciderSpecification = {
  for<C, S, E extends Event>(decider: Decider<C, S, E>) {
    return {
      given(events: readonly E[]) {
        return {
          when(command: C) {
            const run = () => decider.decide(command, fold(decider, events));
            return {
              then(expected: readonly E[]) {
                expect(run()).toEqual(expected);
              },
              thenMatches(check: (events: E[]) => void) {
                check(run());
              },
              thenNothingHappens() {
                expect(run()).toEqual([]);
              },
              thenThrows(code: string, field?: string) {
                let thrown: unknown;
                try {
                  run();
                } catch (e) {
                  thrown = e;
                }
                expect(thrown).toMatchObject(field === undefined ? { code } : { code, field });
              },
            };
          },
        };
      },
    };
  },
};
