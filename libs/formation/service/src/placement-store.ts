import {
  ENTERPRISE_STREAM_PREFIX,
  enterpriseStreamId,
  FORMATION_STREAM_PREFIXES,
  isFormationEvent,
  isRegistryEvent,
  type OperatingStatus,
  type RecordedEvent,
  type RegistryEvent,
} from '@liangxin/contracts';
import type { EventStore } from '@liangxin/event-store';
import { evolveWithFormationEvent, evolveWithRegistryEvent, type FormationPolicy, initialPlacementState, type PlacementState } from '@liangxin/formation-domain';

const PAGE = 5_000;

/** The placement state as the store holds it now, and the global position it was read up to. */
export type LoadedPlacement = { state: PlacementState; through: number };

/**
 * Folds every registry event (the facts) and every formation event (the placements), in the store's global
 * order, into a fresh placement state. Nothing is left out: the state is the store's present, so a plan made
 * on it carries stream versions the store agrees with, and a stale plan fails on a version check instead of
 * duplicating anything.
 */
export async function loadPlacement(store: EventStore, policy: FormationPolicy): Promise<LoadedPlacement> {
  const state = initialPlacementState(policy.standaloneMinFull, policy.jointMaxEnterprises);
  const streamPrefixes = [ENTERPRISE_STREAM_PREFIX, ...FORMATION_STREAM_PREFIXES];
  let through = 0;
  for (;;) {
    const page = await store.readAll({ after: through, limit: PAGE, streamPrefixes });
    for (const event of page) foldInto(state, event);
    if (page.length === 0) break;
    through = page[page.length - 1].globalPosition;
    if (page.length < PAGE) break;
  }
  return { state, through };
}

export function foldInto(state: PlacementState, event: RecordedEvent): void {
  if (event.streamId.startsWith(ENTERPRISE_STREAM_PREFIX)) {
    if (isRegistryEvent(event)) evolveWithRegistryEvent(state, event, event.streamVersion);
  } else if (isFormationEvent(event)) {
    evolveWithFormationEvent(state, event);
  }
}

/** What an officer command needs to know of an enterprise, read from its ledger (the registry's stream). */
export type EnterpriseFacts = {
  creditCode: string;
  district: string;
  fullMembers: number;
  probationaryMembers: number;
  status: OperatingStatus;
};

export async function readEnterpriseFacts(store: EventStore, creditCode: string): Promise<EnterpriseFacts | undefined> {
  let facts: EnterpriseFacts | undefined;
  for (const event of await store.readStream<RegistryEvent>(enterpriseStreamId(creditCode))) {
    switch (event.type) {
      case 'EnterpriseRegistered':
        facts = {
          creditCode,
          district: event.data.district,
          fullMembers: event.data.fullMembers,
          probationaryMembers: event.data.probationaryMembers,
          status: 'normal',
        };
        break;
      case 'MemberCountChanged':
        if (facts) Object.assign(facts, { fullMembers: event.data.fullMembers, probationaryMembers: event.data.probationaryMembers });
        break;
      case 'OperatingStatusChanged':
        if (facts) facts.status = event.data.status;
        break;
    }
  }
  return facts;
}
