/** A party organisation's stream: its lifecycle and member enterprises (the consistency boundary for joins). */
export const ORG_STREAM_PREFIX = 'org-';
export const orgStreamId = (orgId: string): string => ORG_STREAM_PREFIX + orgId;
export const orgIdOfStream = (streamId: string): string | undefined =>
  streamId.startsWith(ORG_STREAM_PREFIX) ? streamId.slice(ORG_STREAM_PREFIX.length) : undefined;

/** Every other formation stream starts with this prefix. */
export const FORMATION_STREAM_PREFIX = 'formation-';
/** An enterprise's coverage when it is not in an organisation: work coverage, waiting for a joint branch. */
export const formationEnterpriseStreamId = (creditCode: string): string => `${FORMATION_STREAM_PREFIX}enterprise-${creditCode}`;

/** The organisation tree of one district: every officer's move is decided on it, so two moves cannot make a cycle together. */
export const formationTreeStreamId = (district: string): string => `${FORMATION_STREAM_PREFIX}tree-${district}`;
/** One person's work-coverage caseload: each assignment takes a place on it, so the limit holds whoever assigns. */
export const formationCaseloadStreamId = (personId: string): string => `${FORMATION_STREAM_PREFIX}caseload-${personId}`;

/** Stream prefixes a consumer of all formation events subscribes to. */
export const FORMATION_STREAM_PREFIXES: readonly string[] = [ORG_STREAM_PREFIX, FORMATION_STREAM_PREFIX];
