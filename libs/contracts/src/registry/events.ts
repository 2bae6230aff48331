import type { Event } from '../event';

export type EnterpriseKind = 'enterprise' | 'social-organisation';
export const ENTERPRISE_KINDS: readonly EnterpriseKind[] = ['enterprise', 'social-organisation'];

/** Investors, one of the "seven clears" (七个清). */
export type Ownership = 'domestic-private' | 'foreign' | 'hong-kong-macao-taiwan' | 'social-organisation';
export const OWNERSHIPS: readonly Ownership[] = ['domestic-private', 'foreign', 'hong-kong-macao-taiwan', 'social-organisation'];

export type OperatingStatus = 'normal' | 'abnormal' | 'deregistered';
export const OPERATING_STATUSES: readonly OperatingStatus[] = ['normal', 'abnormal', 'deregistered'];

/** `import`: the counts a register file (the market regulator's, the organisation department's census) states */
export type MemberChangeReason = 'transfer-in' | 'transfer-out' | 'admission' | 'death' | 'correction' | 'import';
export const MEMBER_CHANGE_REASONS: readonly MemberChangeReason[] = ['transfer-in', 'transfer-out', 'admission', 'death', 'correction', 'import'];

/** Every registry event names the enterprise and its district (for routing, tenancy and per-district projections). */
export type EnterpriseRef = {
  creditCode: string;
  /** 6-digit administrative division, characters 3–8 of the credit code */
  district: string;
};

export type EnterpriseRegisteredData = EnterpriseRef & {
  name: string;
  kind: EnterpriseKind;
  employees: number;
  /** 正式党员 */
  fullMembers: number;
  /** 预备党员 */
  probationaryMembers: number;
  industryChain?: string;
  park?: string;
  building?: string;
  ownership?: Ownership;
  /** ISO date (YYYY-MM-DD) of business registration */
  registeredOn?: string;
};
export type EnterpriseRegistered = Event<'EnterpriseRegistered', EnterpriseRegisteredData>;

export type MemberCountChanged = Event<
  'MemberCountChanged',
  EnterpriseRef & {
    fullMembers: number;
    probationaryMembers: number;
    previousFullMembers: number;
    previousProbationaryMembers: number;
    reason: MemberChangeReason;
  }
>;

export type EmployeeCountChanged = Event<'EmployeeCountChanged', EnterpriseRef & { employees: number; previousEmployees: number }>;

export type OperatingStatusChanged = Event<'OperatingStatusChanged', EnterpriseRef & { status: OperatingStatus; previousStatus: OperatingStatus }>;

/**
 * Ledger fields an officer may correct (the "seven clears" not covered by their own events,
 * plus the descriptive attributes formation groups by).
 */
export type LedgerFields = {
  name?: string;
  ownership?: Ownership;
  industryChain?: string;
  park?: string;
  building?: string;
  registeredOn?: string;
  /** why the enterprise has no party organisation, in the officer's words (七个清: 未建原因) */
  reasonNoOrganisation?: string;
  /** 七个清: 发展需求 */
  developmentNeeds?: string[];
};
export const LEDGER_FIELDS: readonly (keyof LedgerFields)[] = [
  'name',
  'ownership',
  'industryChain',
  'park',
  'building',
  'registeredOn',
  'reasonNoOrganisation',
  'developmentNeeds',
];

export type LedgerCorrected = Event<
  'LedgerCorrected',
  EnterpriseRef & {
    /** only the fields that changed, with their new values */
    corrected: LedgerFields;
    /** the same fields with the values they had before (absent when they were unset) */
    previous: LedgerFields;
    note?: string;
  }
>;

export type RegistryEvent = EnterpriseRegistered | MemberCountChanged | EmployeeCountChanged | OperatingStatusChanged | LedgerCorrected;
export type RegistryEventType = RegistryEvent['type'];

export const REGISTRY_EVENT_TYPES: readonly RegistryEventType[] = [
  'EnterpriseRegistered',
  'MemberCountChanged',
  'EmployeeCountChanged',
  'OperatingStatusChanged',
  'LedgerCorrected',
];

/** Current schema version of every registry event type (bump here and add an upcaster when data changes shape). */
export const REGISTRY_SCHEMA_VERSIONS: Readonly<Record<RegistryEventType, number>> = {
  EnterpriseRegistered: 1,
  MemberCountChanged: 1,
  EmployeeCountChanged: 1,
  OperatingStatusChanged: 1,
  LedgerCorrected: 1,
};

export const isRegistryEvent = (event: { type: string }): event is RegistryEvent =>
  (REGISTRY_EVENT_TYPES as readonly string[]).includes(event.type);
