import { FORMATION_SCHEMA_VERSIONS, type FormationEvent } from '@liangxin/contracts';

/** Builds a formation event at its current schema version. */
export const formationEvent = <E extends FormationEvent>(type: E['type'], data: E['data']): E =>
  ({ type, schemaVersion: FORMATION_SCHEMA_VERSIONS[type], data }) as E;
