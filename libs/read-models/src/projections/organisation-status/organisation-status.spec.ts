import type { RecordedEvent } from '@liangxin/contracts';
import { recorded } from '../../testing/recorded';
import type { ProjectionContext } from '../../projection';
import type { StoredDocument } from '../../store/port';
import { evolveOrganisationStatus, ORGANISATION_STATUS, type OrganisationStatus, organisationStatusProjection } from './organisation-status';

const ref = { orgId: 'o1', district: '430100' };
const fold = (events: RecordedEvent[]) => events.reduce<OrganisationStatus | undefined>((s, e) => evolveOrganisationStatus(s, e) ?? s, undefined);
const formed = recorded(1, 'OrgFormed', {
  ...ref,
  name: 'Joint branch',
  mode: 'joint',
  level: 'branch',
  committeeSize: 0,
  enterprises: [
    { creditCode: 'B', fullMembers: 1, probationaryMembers: 1 },
    { creditCode: 'A', fullMembers: 2, probationaryMembers: 0 },
  ],
  fullMembers: 3,
  probationaryMembers: 1,
});

describe('organisation status', () => {
  it('follows joins, recounts, leaves, people and level', () => {
    const org = fold([
      formed,
      recorded(2, 'EnterpriseJoinedOrg', { ...ref, creditCode: 'C', fullMembers: 2, probationaryMembers: 0, fullMembersTotal: 5, probationaryMembersTotal: 1 }),
      recorded(3, 'OrgMembersRecounted', { ...ref, creditCode: 'A', fullMembers: 3, probationaryMembers: 0, fullMembersTotal: 6, probationaryMembersTotal: 1 }),
      recorded(4, 'EnterpriseLeftOrg', { ...ref, creditCode: 'B', reason: 'regrouped', fullMembersTotal: 5, probationaryMembersTotal: 0 }),
      recorded(5, 'SecretaryAssigned', { ...ref, secretary: { personId: 'p1', name: 'Li' } }),
      recorded(6, 'InstructorReplaced', { ...ref, instructor: { personId: 'p2', name: 'Wang' }, previous: { personId: 'p0', name: 'Zhao' }, reason: 'caseload' }),
      recorded(7, 'OrgLevelChanged', { ...ref, level: 'general-branch', committeeSize: 3, fullMembers: 5, probationaryMembers: 0 }),
    ]);
    expect(org).toMatchObject({
      status: 'active',
      level: 'general-branch',
      committeeSize: 3,
      fullMembers: 5,
      probationaryMembers: 0,
      secretary: { personId: 'p1' },
      instructor: { personId: 'p2' },
      enterprises: [
        { creditCode: 'A', fullMembers: 3, probationaryMembers: 0 },
        { creditCode: 'C', fullMembers: 2, probationaryMembers: 0 },
      ],
    });
  });

  it('records a dissolution by merger and releases its enterprises', () => {
    const org = fold([formed, recorded(2, 'OrgDissolved', { ...ref, reason: 'merged', enterprisesReleased: ['A', 'B'], mergedInto: 'o9' })]);
    expect(org).toMatchObject({ status: 'dissolved', enterprises: [], mergedInto: 'o9', dissolutionReason: 'merged' });
  });

  it('lists no enterprises or members once dissolved, even when the dissolution named only some of them, and a late recount brings none back', () => {
    const dissolved = recorded(2, 'OrgDissolved', { ...ref, reason: 'operation-abnormal', enterprisesReleased: ['A'] });
    const late = recorded(3, 'OrgMembersRecounted', { ...ref, creditCode: 'B', fullMembers: 4, probationaryMembers: 0, fullMembersTotal: 4, probationaryMembersTotal: 0 });
    expect(fold([formed, dissolved, late])).toMatchObject({ status: 'dissolved', enterprises: [], fullMembers: 0, probationaryMembers: 0 });
  });

  describe('the organisation tree (OrgParentChanged)', () => {
    const parentChanged = (position: number, parentOrgId: string | null, previousParentOrgId: string | null) =>
      recorded(position, 'OrgParentChanged', { ...ref, parentOrgId, previousParentOrgId, reason: '产业链党委统一管理' });

    it('places the organisation under a parent, moves it and detaches it, touching nothing else', () => {
      const placed = fold([formed, parentChanged(2, 'c1', null)]);
      expect(placed).toEqual({ ...fold([formed]), parentOrgId: 'c1' });
      expect(fold([formed, parentChanged(2, 'c1', null), parentChanged(3, 'c2', 'c1')])?.parentOrgId).toBe('c2');
      expect(fold([formed, parentChanged(2, 'c1', null), parentChanged(3, null, 'c1')])?.parentOrgId).toBeNull();
    });

    it('is pure: the status given is not changed', () => {
      const before = fold([formed]) as OrganisationStatus;
      const copy = structuredClone(before);
      evolveOrganisationStatus(before, parentChanged(2, 'c1', null));
      expect(before).toEqual(copy);
    });

    it('replaying an event already applied changes nothing (by position)', async () => {
      const documents = new Map<string, StoredDocument>();
      const context: ProjectionContext = {
        load: async <T extends object>(collection: string, id: string) => documents.get(`${collection}/${id}`) as StoredDocument<T> | undefined,
        save: (collection, id, body, position) => {
          if (body) documents.set(`${collection}/${id}`, { id, position, body: body as StoredDocument['body'] });
        },
      };
      const events = [formed, parentChanged(2, 'c1', null), parentChanged(3, null, 'c1')];
      expect(organisationStatusProjection.eventTypes !== 'all' && organisationStatusProjection.eventTypes.has('OrgParentChanged')).toBe(true);
      for (const event of events) await organisationStatusProjection.apply(event, context);
      const once = structuredClone(documents.get(`${ORGANISATION_STATUS}/o1`));
      for (const event of events) await organisationStatusProjection.apply(event, context);
      expect(documents.get(`${ORGANISATION_STATUS}/o1`)).toEqual(once);
      expect(once).toMatchObject({ position: 3, body: { parentOrgId: null } });
    });
  });
});
