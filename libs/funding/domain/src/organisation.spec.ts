import type { RecordedEvent } from '@liangxin/contracts';
import { organisationRecordOf, wasActiveIn } from './organisation';

let position = 0;
const recorded = (type: string, data: object, occurredAt: string): RecordedEvent =>
  ({ type, schemaVersion: 1, data, occurredAt, eventId: `e-${++position}`, globalPosition: position, streamId: 'org-o', streamVersion: position, recordedAt: occurredAt, metadata: { actor: 't' } }) as RecordedEvent;
const ref = { orgId: 'o', district: '430104' };

describe("funding's record of an organisation", () => {
  const proposed = recorded('OrgProposed', { ...ref, enterprises: [{ creditCode: 'E1' }] }, '2023-12-01T00:00:00Z');
  const formed = recorded('OrgFormed', { ...ref, enterprises: [{ creditCode: 'E1' }], publicUnit: false }, '2024-01-10T00:00:00Z');
  const joined = recorded('EnterpriseJoinedOrg', { ...ref, creditCode: 'E2' }, '2024-02-01T00:00:00Z');
  const secretary = recorded('SecretaryAssigned', { ...ref, secretary: { personId: 'p', name: '李' } }, '2024-02-02T00:00:00Z');
  const dissolved = recorded('OrgDissolved', { ...ref, reason: 'officer-decision' }, '2025-03-01T00:00:00Z');

  it('does not exist on a proposal alone', () => {
    expect(organisationRecordOf('o', [proposed])).toMatchObject({ formed: false, enterprises: [] });
    expect(wasActiveIn(organisationRecordOf('o', [proposed]), 2024)).toBe(false);
  });

  it('knows its district, formation date, secretary and every enterprise that was ever a member', () => {
    expect(organisationRecordOf('o', [proposed, formed, joined, secretary])).toEqual({
      orgId: 'o',
      formed: true,
      district: '430104',
      formedAt: '2024-01-10T00:00:00Z',
      publicUnit: false,
      secretary: { personId: 'p', name: '李' },
      enterprises: ['E1', 'E2'],
    });
  });

  it('was active from the year it was formed through the year it was dissolved', () => {
    const record = organisationRecordOf('o', [formed, dissolved]);
    expect([2023, 2024, 2025, 2026].map((year) => wasActiveIn(record, year))).toEqual([false, true, true, false]);
  });
});
