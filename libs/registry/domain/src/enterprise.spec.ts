import type { RegistryEvent } from '@liangxin/contracts';
import { DeciderSpecification } from '@liangxin/event-sourcing/testing';
import { generateCreditCode, isValidCreditCode } from './credit-code';
import { enterpriseDecider, type RegisterEnterprise } from './enterprise';

const code = '91350100M000100Y43';
const spec = DeciderSpecification.for(enterpriseDecider);
const registration: RegisterEnterprise['data'] = {
  creditCode: code,
  name: 'Minjiang Robotics',
  kind: 'enterprise',
  employees: 80,
  fullMembers: 2,
  probationaryMembers: 1,
  industryChain: 'robotics',
  park: 'high-tech park',
};
const registered: RegistryEvent = {
  type: 'EnterpriseRegistered',
  schemaVersion: 1,
  data: { ...registration, district: '350100' },
};
const deregistered: RegistryEvent = {
  type: 'OperatingStatusChanged',
  schemaVersion: 1,
  data: { creditCode: code, district: '350100', status: 'deregistered', previousStatus: 'normal' },
};

describe('enterprise ledger', () => {
  describe('RegisterEnterprise', () => {
    it('records the enterprise with its district taken from the credit code', () =>
      spec.given([]).when({ type: 'RegisterEnterprise', data: registration }).then([registered]));

    it('refuses a second registration of the same code', () =>
      spec.given([registered]).when({ type: 'RegisterEnterprise', data: registration }).thenThrows('ENTERPRISE_ALREADY_REGISTERED', 'creditCode'));

    it('refuses an invalid credit code', () =>
      spec.given([]).when({ type: 'RegisterEnterprise', data: { ...registration, creditCode: '91350100M000100Y44' } }).thenThrows('INVALID_CREDIT_CODE', 'creditCode'));

    it.each([
      ['fullMembers', -1],
      ['probationaryMembers', 1.5],
      ['employees', Number.NaN],
    ])('refuses %s = %p', (field, value) =>
      spec.given([]).when({ type: 'RegisterEnterprise', data: { ...registration, [field]: value } }).thenThrows('INVALID_COUNT', field));

    it('refuses an empty name and an unknown kind', () => {
      spec.given([]).when({ type: 'RegisterEnterprise', data: { ...registration, name: ' ' } }).thenThrows('INVALID_TEXT', 'name');
      spec.given([]).when({ type: 'RegisterEnterprise', data: { ...registration, kind: 'factory' as never } }).thenThrows('INVALID_KIND', 'kind');
    });

    it('explains the problem to the officer', () => {
      expect(() => enterpriseDecider.decide({ type: 'RegisterEnterprise', data: { ...registration, creditCode: '91350100M000100Y44' } }, enterpriseDecider.initialState())).toThrow(
        /check character/,
      );
    });
  });

  describe('ChangeMemberCount', () => {
    const change = { creditCode: code, fullMembers: 3, probationaryMembers: 0, reason: 'admission' as const };

    it('records full and probationary members apart, with the previous values and the reason', () =>
      spec
        .given([registered])
        .when({ type: 'ChangeMemberCount', data: change })
        .then([
          {
            type: 'MemberCountChanged',
            schemaVersion: 1,
            data: { creditCode: code, district: '350100', fullMembers: 3, probationaryMembers: 0, previousFullMembers: 2, previousProbationaryMembers: 1, reason: 'admission' },
          },
        ]));

    it('does nothing when the counts are unchanged', () =>
      spec.given([registered]).when({ type: 'ChangeMemberCount', data: { ...change, fullMembers: 2, probationaryMembers: 1 } }).thenNothingHappens());

    it('refuses an unknown enterprise', () => spec.given([]).when({ type: 'ChangeMemberCount', data: change }).thenThrows('ENTERPRISE_NOT_FOUND', 'creditCode'));

    it('refuses a deregistered enterprise', () =>
      spec.given([registered, deregistered]).when({ type: 'ChangeMemberCount', data: change }).thenThrows('ENTERPRISE_DEREGISTERED', 'creditCode'));

    it('refuses negative or fractional counts and unknown reasons', () => {
      spec.given([registered]).when({ type: 'ChangeMemberCount', data: { ...change, fullMembers: -2 } }).thenThrows('INVALID_COUNT', 'fullMembers');
      spec.given([registered]).when({ type: 'ChangeMemberCount', data: { ...change, probationaryMembers: 0.5 } }).thenThrows('INVALID_COUNT', 'probationaryMembers');
      spec.given([registered]).when({ type: 'ChangeMemberCount', data: { ...change, reason: 'promotion' as never } }).thenThrows('INVALID_REASON', 'reason');
    });
  });

  describe('ChangeEmployeeCount', () => {
    it('records the new and previous count', () =>
      spec
        .given([registered])
        .when({ type: 'ChangeEmployeeCount', data: { creditCode: code, employees: 120 } })
        .then([{ type: 'EmployeeCountChanged', schemaVersion: 1, data: { creditCode: code, district: '350100', employees: 120, previousEmployees: 80 } }]));

    it('refuses a negative count', () =>
      spec.given([registered]).when({ type: 'ChangeEmployeeCount', data: { creditCode: code, employees: -1 } }).thenThrows('INVALID_COUNT', 'employees'));
  });

  describe('ChangeOperatingStatus', () => {
    it('records the change with the previous status', () =>
      spec
        .given([registered])
        .when({ type: 'ChangeOperatingStatus', data: { creditCode: code, status: 'abnormal' } })
        .then([{ type: 'OperatingStatusChanged', schemaVersion: 1, data: { creditCode: code, district: '350100', status: 'abnormal', previousStatus: 'normal' } }]));

    it('does nothing when the status is unchanged', () =>
      spec.given([registered]).when({ type: 'ChangeOperatingStatus', data: { creditCode: code, status: 'normal' } }).thenNothingHappens());

    it('refuses to revive a deregistered enterprise', () =>
      spec.given([registered, deregistered]).when({ type: 'ChangeOperatingStatus', data: { creditCode: code, status: 'normal' } }).thenThrows('ENTERPRISE_DEREGISTERED'));

    it('refuses an unknown status', () =>
      spec.given([registered]).when({ type: 'ChangeOperatingStatus', data: { creditCode: code, status: 'closed' as never } }).thenThrows('INVALID_STATUS', 'status'));
  });

  describe('CorrectLedger', () => {
    it('records only the fields that changed, with their previous values', () =>
      spec
        .given([registered])
        .when({ type: 'CorrectLedger', data: { creditCode: code, park: 'high-tech park', building: 'Tower A', reasonNoOrganisation: 'members transferred out', developmentNeeds: ['financing'] } })
        .then([
          {
            type: 'LedgerCorrected',
            schemaVersion: 1,
            data: {
              creditCode: code,
              district: '350100',
              corrected: { building: 'Tower A', reasonNoOrganisation: 'members transferred out', developmentNeeds: ['financing'] },
              previous: {},
            },
          },
        ]));

    it('does nothing when nothing differs', () => spec.given([registered]).when({ type: 'CorrectLedger', data: { creditCode: code, park: 'high-tech park' } }).thenNothingHappens());

    it('refuses a bad ownership or date', () => {
      spec.given([registered]).when({ type: 'CorrectLedger', data: { creditCode: code, ownership: 'state' as never } }).thenThrows('INVALID_OWNERSHIP', 'ownership');
      spec.given([registered]).when({ type: 'CorrectLedger', data: { creditCode: code, registeredOn: '2024-13-45' } }).thenThrows('INVALID_DATE', 'registeredOn');
    });

    it('refuses an unknown enterprise', () => spec.given([]).when({ type: 'CorrectLedger', data: { creditCode: code, park: 'x' } }).thenThrows('ENTERPRISE_NOT_FOUND'));
  });
});

describe('generateCreditCode', () => {
  it('produces distinct valid codes in the given district', () => {
    const codes = Array.from({ length: 2000 }, (_, i) => generateCreditCode('430104', i * 7919, i % 2 ? 'enterprise' : 'social-organisation'));
    expect(codes.every(isValidCreditCode)).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((c) => c.slice(2, 8) === '430104')).toBe(true);
  });
});

describe('ImportRegisterRow (a row of a register file, decided against the ledger)', () => {
  const row = { ...registration, status: 'normal' as const };

  it('registers an enterprise the ledger does not hold', () => spec.given([]).when({ type: 'ImportRegisterRow', data: row }).then([registered]));

  it('registers an enterprise the file says is abnormal, then records that status', () =>
    spec
      .given([])
      .when({ type: 'ImportRegisterRow', data: { ...row, status: 'abnormal' } })
      .then([registered, { type: 'OperatingStatusChanged', schemaVersion: 1, data: { creditCode: code, district: '350100', status: 'abnormal', previousStatus: 'normal' } }]));

  it('decides nothing for the same row again', () => spec.given([registered]).when({ type: 'ImportRegisterRow', data: row }).thenNothingHappens());

  it('turns each difference into its own event, members with reason import, deregistration last', () =>
    spec
      .given([registered])
      .when({ type: 'ImportRegisterRow', data: { ...row, employees: 95, fullMembers: 4, status: 'deregistered' } })
      .then([
        { type: 'EmployeeCountChanged', schemaVersion: 1, data: { creditCode: code, district: '350100', employees: 95, previousEmployees: 80 } },
        {
          type: 'MemberCountChanged',
          schemaVersion: 1,
          data: { creditCode: code, district: '350100', fullMembers: 4, probationaryMembers: 1, previousFullMembers: 2, previousProbationaryMembers: 1, reason: 'import' },
        },
        { type: 'OperatingStatusChanged', schemaVersion: 1, data: { creditCode: code, district: '350100', status: 'deregistered', previousStatus: 'normal' } },
      ]));

  it('records a renamed enterprise as a ledger correction noted as an import', () =>
    spec
      .given([registered])
      .when({ type: 'ImportRegisterRow', data: { ...row, name: 'Minjiang Robotics Group' } })
      .then([{ type: 'LedgerCorrected', schemaVersion: 1, data: { creditCode: code, district: '350100', corrected: { name: 'Minjiang Robotics Group' }, previous: { name: 'Minjiang Robotics' }, note: 'import' } }]));

  it('leaves a deregistered enterprise closed: the same status changes nothing, any other is refused', () => {
    spec.given([registered, deregistered]).when({ type: 'ImportRegisterRow', data: { ...row, status: 'deregistered' } }).thenNothingHappens();
    spec.given([registered, deregistered]).when({ type: 'ImportRegisterRow', data: row }).thenThrows('ENTERPRISE_DEREGISTERED', 'creditCode');
  });

  it('refuses to register an enterprise the file already calls deregistered', () =>
    spec.given([]).when({ type: 'ImportRegisterRow', data: { ...row, status: 'deregistered' } }).thenThrows('NOT_REGISTERED_DEREGISTERED', 'status'));

  it('refuses a bad count of a registered enterprise, naming the field', () =>
    spec.given([registered]).when({ type: 'ImportRegisterRow', data: { ...row, fullMembers: -2 } }).thenThrows('INVALID_COUNT', 'fullMembers'));
});
