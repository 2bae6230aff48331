import {
  districtOfCreditCode,
  ENTERPRISE_KINDS,
  type EnterpriseRegisteredData,
  LEDGER_FIELDS,
  type LedgerFields,
  MEMBER_CHANGE_REASONS,
  type MemberChangeReason,
  OPERATING_STATUSES,
  type OperatingStatus,
  OWNERSHIPS,
  REGISTRY_SCHEMA_VERSIONS,
  type RegistryEvent,
} from '@liangxin/contracts';
import { type Decider, DomainError } from '@liangxin/event-sourcing';
import { assertValidCreditCode } from './credit-code';

/** What an officer registers: the ledger record, less the district (derived from the credit code). */
export type RegisterEnterprise = { type: 'RegisterEnterprise'; data: Omit<EnterpriseRegisteredData, 'district'> };
export type ChangeMemberCount = {
  type: 'ChangeMemberCount';
  data: { creditCode: string; fullMembers: number; probationaryMembers: number; reason: MemberChangeReason };
};
export type ChangeEmployeeCount = { type: 'ChangeEmployeeCount'; data: { creditCode: string; employees: number } };
export type ChangeOperatingStatus = { type: 'ChangeOperatingStatus'; data: { creditCode: string; status: OperatingStatus } };
export type CorrectLedger = { type: 'CorrectLedger'; data: LedgerFields & { creditCode: string; note?: string } };

/** One row of a register file: the enterprise as the file states it now (ImportRegisterRowMessage). */
export type ImportRegisterRow = { type: 'ImportRegisterRow'; data: RegisterEnterprise['data'] & { status?: OperatingStatus } };

export type EnterpriseCommand = RegisterEnterprise | ChangeMemberCount | ChangeEmployeeCount | ChangeOperatingStatus | CorrectLedger | ImportRegisterRow;

export type RegisteredEnterprise = Omit<EnterpriseRegisteredData, keyof LedgerFields> &
  LedgerFields & {
    name: string;
    status: OperatingStatus;
  };

export type EnterpriseState = { registered: false } | ({ registered: true } & RegisteredEnterprise);

const event = <E extends RegistryEvent>(type: E['type'], data: E['data']): E => ({ type, schemaVersion: REGISTRY_SCHEMA_VERSIONS[type], data }) as E;

const assertCount = (value: unknown, field: string, label: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new DomainError('INVALID_COUNT', `${label} must be a whole number of zero or more, got ${JSON.stringify(value)}.`, field);
  return value;
};

const assertOneOf = <T extends string>(value: unknown, allowed: readonly T[], code: string, field: string, label: string): T => {
  if (!allowed.includes(value as T)) throw new DomainError(code, `${label} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`, field);
  return value as T;
};

const assertText = (value: unknown, field: string, label: string): string => {
  if (typeof value !== 'string' || value.trim() === '') throw new DomainError('INVALID_TEXT', `${label} must not be empty.`, field);
  return value.trim();
};

const assertDate = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new DomainError('INVALID_DATE', `The registration date must be a date written YYYY-MM-DD, got ${JSON.stringify(value)}.`, field);
  return value;
};

/** The enterprise must exist, be the one the command names, and not be deregistered (its ledger is closed). */
const assertOpen = (state: EnterpriseState, creditCode: string): RegisteredEnterprise => {
  if (!state.registered) throw new DomainError('ENTERPRISE_NOT_FOUND', `No enterprise is registered under credit code ${creditCode}.`, 'creditCode', 'not_found');
  if (state.creditCode !== creditCode) throw new DomainError('ENTERPRISE_MISMATCH', `This ledger belongs to ${state.creditCode}, not ${creditCode}.`, 'creditCode', 'conflict');
  if (state.status === 'deregistered')
    throw new DomainError('ENTERPRISE_DEREGISTERED', `Enterprise ${creditCode} (${state.name}) is deregistered; its ledger can no longer change.`, 'creditCode', 'conflict');
  return state;
};

const optional = <T>(value: T | undefined, check: (v: unknown) => T): T | undefined => (value === undefined || value === null ? undefined : check(value));

const register = ({ data }: RegisterEnterprise, state: EnterpriseState): RegistryEvent[] => {
  const creditCode = assertValidCreditCode(data.creditCode);
  if (state.registered)
    throw new DomainError('ENTERPRISE_ALREADY_REGISTERED', `An enterprise is already registered under credit code ${creditCode} (${state.name}).`, 'creditCode', 'conflict');
  const registered: EnterpriseRegisteredData = {
    creditCode,
    district: districtOfCreditCode(creditCode),
    name: assertText(data.name, 'name', 'The name'),
    kind: assertOneOf(data.kind, ENTERPRISE_KINDS, 'INVALID_KIND', 'kind', 'The kind'),
    employees: assertCount(data.employees, 'employees', 'The employee count'),
    fullMembers: assertCount(data.fullMembers, 'fullMembers', 'The number of full party members'),
    probationaryMembers: assertCount(data.probationaryMembers, 'probationaryMembers', 'The number of probationary party members'),
  };
  const industryChain = optional(data.industryChain, (v) => assertText(v, 'industryChain', 'The industry chain'));
  const park = optional(data.park, (v) => assertText(v, 'park', 'The park'));
  const building = optional(data.building, (v) => assertText(v, 'building', 'The building'));
  const ownership = optional(data.ownership, (v) => assertOneOf(v, OWNERSHIPS, 'INVALID_OWNERSHIP', 'ownership', 'The ownership'));
  const registeredOn = optional(data.registeredOn, (v) => assertDate(v, 'registeredOn'));
  return [
    event('EnterpriseRegistered', {
      ...registered,
      ...(industryChain && { industryChain }),
      ...(park && { park }),
      ...(building && { building }),
      ...(ownership && { ownership }),
      ...(registeredOn && { registeredOn }),
    }),
  ];
};

const changeMemberCount = ({ data }: ChangeMemberCount, state: EnterpriseState): RegistryEvent[] => {
  const fullMembers = assertCount(data.fullMembers, 'fullMembers', 'The number of full party members');
  const probationaryMembers = assertCount(data.probationaryMembers, 'probationaryMembers', 'The number of probationary party members');
  const reason = assertOneOf(data.reason, MEMBER_CHANGE_REASONS, 'INVALID_REASON', 'reason', 'The reason for the change');
  const current = assertOpen(state, data.creditCode);
  if (current.fullMembers === fullMembers && current.probationaryMembers === probationaryMembers) return [];
  return [
    event('MemberCountChanged', {
      creditCode: current.creditCode,
      district: current.district,
      fullMembers,
      probationaryMembers,
      previousFullMembers: current.fullMembers,
      previousProbationaryMembers: current.probationaryMembers,
      reason,
    }),
  ];
};

const changeEmployeeCount = ({ data }: ChangeEmployeeCount, state: EnterpriseState): RegistryEvent[] => {
  const employees = assertCount(data.employees, 'employees', 'The employee count');
  const current = assertOpen(state, data.creditCode);
  if (current.employees === employees) return [];
  return [event('EmployeeCountChanged', { creditCode: current.creditCode, district: current.district, employees, previousEmployees: current.employees })];
};

const changeOperatingStatus = ({ data }: ChangeOperatingStatus, state: EnterpriseState): RegistryEvent[] => {
  const status = assertOneOf(data.status, OPERATING_STATUSES, 'INVALID_STATUS', 'status', 'The operating status');
  const current = assertOpen(state, data.creditCode);
  if (current.status === status) return [];
  return [event('OperatingStatusChanged', { creditCode: current.creditCode, district: current.district, status, previousStatus: current.status })];
};

const validateLedgerField = (field: keyof LedgerFields, value: unknown): LedgerFields[keyof LedgerFields] => {
  switch (field) {
    case 'ownership':
      return assertOneOf(value, OWNERSHIPS, 'INVALID_OWNERSHIP', field, 'The ownership');
    case 'registeredOn':
      return assertDate(value, field);
    case 'developmentNeeds':
      if (!Array.isArray(value) || value.some((need) => typeof need !== 'string' || need.trim() === ''))
        throw new DomainError('INVALID_TEXT', 'Development needs must be a list of non-empty texts.', field);
      return value.map((need: string) => need.trim());
    default:
      return assertText(value, field, `The ${field}`);
  }
};

const correctLedger = ({ data }: CorrectLedger, state: EnterpriseState): RegistryEvent[] => {
  const current = assertOpen(state, data.creditCode);
  const corrected: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  for (const field of LEDGER_FIELDS) {
    if (data[field] === undefined) continue;
    const value = validateLedgerField(field, data[field]);
    if (JSON.stringify(value) === JSON.stringify(current[field])) continue;
    corrected[field] = value;
    if (current[field] !== undefined) previous[field] = current[field];
  }
  if (Object.keys(corrected).length === 0) return [];
  return [
    event('LedgerCorrected', {
      creditCode: current.creditCode,
      district: current.district,
      corrected,
      previous,
      ...(data.note && { note: data.note }),
    }),
  ];
};

/** Ledger fields a register file may state, compared with the ledger on a later import. */
const IMPORTED_LEDGER_FIELDS = ['name', 'ownership', 'industryChain', 'park', 'building', 'registeredOn'] as const;

/**
 * A register row decided against the ledger: an enterprise not yet in it is registered (and, when the file says it is
 * abnormal, so recorded); one already in it gets one event per difference — ledger fields, employees, members (reason
 * `import`), operating status last, so a deregistration closes the ledger after the final counts. The same row again
 * decides nothing. A deregistered enterprise stays closed: a row that does not also say deregistered is refused.
 */
const importRow = ({ data }: ImportRegisterRow, state: EnterpriseState): RegistryEvent[] => {
  const creditCode = assertValidCreditCode(data.creditCode);
  const status = optional(data.status, (v) => assertOneOf(v, OPERATING_STATUSES, 'INVALID_STATUS', 'status', 'The operating status'));
  const { status: _status, ...registration } = data;
  if (!state.registered) {
    if (status === 'deregistered')
      throw new DomainError('NOT_REGISTERED_DEREGISTERED', `Enterprise ${creditCode} is deregistered and not in the ledger: there is nothing to register or close.`, 'status', 'conflict');
    return sequence(state, [{ type: 'RegisterEnterprise', data: registration }, ...(status && status !== 'normal' ? [{ type: 'ChangeOperatingStatus' as const, data: { creditCode, status } }] : [])]);
  }
  // validated like a registration, so a bad count is refused with its field even when the ledger already holds a value
  register({ type: 'RegisterEnterprise', data: registration }, initialEnterpriseState());
  if (state.creditCode !== creditCode) throw new DomainError('ENTERPRISE_MISMATCH', `This ledger belongs to ${state.creditCode}, not ${creditCode}.`, 'creditCode', 'conflict');
  if (state.status === 'deregistered') {
    if (status === 'deregistered') return [];
    assertOpen(state, creditCode);
  }
  const corrections: Record<string, unknown> = {};
  for (const field of IMPORTED_LEDGER_FIELDS) if (registration[field] !== undefined && registration[field] !== null) corrections[field] = registration[field];
  return sequence(state, [
    { type: 'CorrectLedger', data: { creditCode, ...corrections, note: 'import' } },
    { type: 'ChangeEmployeeCount', data: { creditCode, employees: registration.employees } },
    { type: 'ChangeMemberCount', data: { creditCode, fullMembers: registration.fullMembers, probationaryMembers: registration.probationaryMembers, reason: 'import' } },
    ...(status ? [{ type: 'ChangeOperatingStatus' as const, data: { creditCode, status } }] : []),
  ]);
};

/** Several commands decided one after another, each against the state the previous ones left. */
const sequence = (state: EnterpriseState, commands: Exclude<EnterpriseCommand, ImportRegisterRow>[]): RegistryEvent[] => {
  const events: RegistryEvent[] = [];
  let current = state;
  for (const command of commands) {
    const decided = decideEnterprise(command, current);
    current = decided.reduce(evolveEnterprise, current);
    events.push(...decided);
  }
  return events;
};

export const decideEnterprise = (command: EnterpriseCommand, state: EnterpriseState): RegistryEvent[] => {
  switch (command.type) {
    case 'RegisterEnterprise':
      return register(command, state);
    case 'ChangeMemberCount':
      return changeMemberCount(command, state);
    case 'ChangeEmployeeCount':
      return changeEmployeeCount(command, state);
    case 'ChangeOperatingStatus':
      return changeOperatingStatus(command, state);
    case 'CorrectLedger':
      return correctLedger(command, state);
    case 'ImportRegisterRow':
      return importRow(command, state);
    default: {
      const _: never = command;
      return _;
    }
  }
};

export const evolveEnterprise = (state: EnterpriseState, event: RegistryEvent): EnterpriseState => {
  switch (event.type) {
    case 'EnterpriseRegistered':
      return { registered: true, ...event.data, status: 'normal' };
    case 'MemberCountChanged':
      return state.registered ? { ...state, fullMembers: event.data.fullMembers, probationaryMembers: event.data.probationaryMembers } : state;
    case 'EmployeeCountChanged':
      return state.registered ? { ...state, employees: event.data.employees } : state;
    case 'OperatingStatusChanged':
      return state.registered ? { ...state, status: event.data.status } : state;
    case 'LedgerCorrected':
      return state.registered ? { ...state, ...event.data.corrected } : state;
  }
};

export const initialEnterpriseState = (): EnterpriseState => ({ registered: false });

/** One enterprise's ledger (stream `enterprise-<creditCode>`). */
export const enterpriseDecider: Decider<EnterpriseCommand, EnterpriseState, RegistryEvent> = {
  decide: decideEnterprise,
  evolve: evolveEnterprise,
  initialState: initialEnterpriseState,
};
