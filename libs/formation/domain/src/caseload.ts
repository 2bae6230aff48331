import type { CaseloadPlaceTaken, Event } from '@liangxin/contracts';
import { type Decider, DomainError } from '@liangxin/event-sourcing';
import { formationEvent } from './events';

/** One person's caseload stream: the places taken, latest per enterprise, and how many were taken in all. */
export type CaseloadState = { taken: number; places: ReadonlyMap<string, number> };

/**
 * Take a place on `personId`'s caseload for `creditCode`, to assign at version `coverageVersion` of its stream.
 * `stillHeld` are the enterprises of this stream's places the service found the person still covering (or still about
 * to), as read with `placesSeen` places; a place taken since (another instance's assignment) counts as held.
 */
export type TakeCaseloadPlace = {
  type: 'TakeCaseloadPlace';
  data: { personId: string; name: string; creditCode: string; district: string; coverageVersion: number; placesSeen: number; stillHeld: readonly string[]; limit: number; policyVersion: string };
};

/** The caseload limit (`maxWorkCoverageCaseload`), decided on the person's own stream whoever assigns. */
export const takeCaseloadPlace = ({ data }: TakeCaseloadPlace, state: CaseloadState): CaseloadPlaceTaken[] => {
  if (state.places.get(data.creditCode) === data.coverageVersion) return [];
  const held = new Set(data.stillHeld);
  if (state.taken !== data.placesSeen) for (const code of [...state.places.keys()].slice(-(state.taken - data.placesSeen))) held.add(code);
  held.delete(data.creditCode);
  if (held.size >= data.limit)
    throw new DomainError(
      'CASELOAD_EXCEEDED',
      `${data.name} (${data.personId}) already gives work coverage to ${held.size} enterprises, the most policy ${data.policyVersion} allows (${data.limit}); assign someone else or free part of the caseload first.`,
      'assignee',
      'conflict',
    );
  return [formationEvent<CaseloadPlaceTaken>('CaseloadPlaceTaken', { personId: data.personId, creditCode: data.creditCode, district: data.district, coverageVersion: data.coverageVersion })];
};

export const caseloadDecider: Decider<TakeCaseloadPlace, CaseloadState, Event> = {
  decide: takeCaseloadPlace,
  evolve: (state, event) => {
    if (event.type !== 'CaseloadPlaceTaken') return state;
    const { creditCode, coverageVersion } = (event as CaseloadPlaceTaken).data;
    const places = new Map(state.places);
    places.delete(creditCode); // latest last, so the places taken since a reading are the map's tail
    return { taken: state.taken + 1, places: places.set(creditCode, coverageVersion) };
  },
  initialState: () => ({ taken: 0, places: new Map() }),
};
