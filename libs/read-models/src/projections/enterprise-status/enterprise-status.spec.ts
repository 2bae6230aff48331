import type { RecordedEvent } from '@liangxin/contracts';
import { recorded } from '../../testing/recorded';
import { type EnterpriseStatus, evolveEnterpriseStatus } from './enterprise-status';

const code = '91430100MA4L000015';
const registered = (fullMembers: number, employees = 10) =>
  recorded(1, 'EnterpriseRegistered', { creditCode: code, district: '430100', name: 'Acme', kind: 'enterprise', employees, fullMembers, probationaryMembers: 0, park: 'etdz' });
const fold = (events: RecordedEvent[], orgMode?: string) =>
  events.reduce<EnterpriseStatus | undefined>((s, e) => evolveEnterpriseStatus(s, e, orgMode) ?? s, undefined);

describe('enterprise status', () => {
  it('starts uncovered, with the reason derived from its members', () => {
    expect(fold([registered(0)])).toMatchObject({ coverage: 'none', noOrganisationReason: 'no-party-members', orgId: null, park: 'etdz' });
    expect(fold([registered(2)])).toMatchObject({ coverage: 'none', noOrganisationReason: 'awaiting-formation' });
  });

  it('is organisationally covered by the organisation formed with it, with its mode', () => {
    const status = fold([registered(4), recorded(2, 'OrgFormed', { orgId: 'o1', district: '430100', mode: 'standalone', enterprises: [{ creditCode: code, fullMembers: 4, probationaryMembers: 0 }] })]);
    expect(status).toMatchObject({ coverage: 'organisational', orgId: 'o1', mode: 'standalone', noOrganisationReason: null });
  });

  it('is left uncovered with the formation reason once its organisation is dissolved, until a named person covers it', () => {
    const status = fold([
      registered(4),
      recorded(2, 'OrgFormed', { orgId: 'o1', district: '430100', mode: 'standalone', enterprises: [{ creditCode: code, fullMembers: 4, probationaryMembers: 0 }] }),
      recorded(3, 'OrgDissolved', { orgId: 'o1', district: '430100', reason: 'below-minimum-full-members', enterprisesReleased: [code] }),
    ]);
    expect(status).toMatchObject({ coverage: 'none', orgId: null, noOrganisationReason: 'below-minimum-full-members' });
    const nobody = evolveEnterpriseStatus(status, recorded(4, 'WorkCoverageAssigned', { creditCode: code, coveredBy: 'instructor', reason: 'awaiting-joint-branch', mustBeOrganisationallyCovered: false }));
    expect(nobody).toMatchObject({ coverage: 'none', notCoveredReason: 'needs-organisation', workCoverage: { coveredBy: 'instructor', assignee: null }, noOrganisationReason: 'awaiting-joint-branch' });
    const covered = evolveEnterpriseStatus(nobody, recorded(5, 'WorkCoverageAssigned', { creditCode: code, coveredBy: 'instructor', assignee: { personId: 'p-wang', name: '王' }, reason: 'awaiting-joint-branch', mustBeOrganisationallyCovered: false }));
    expect(covered).toMatchObject({ coverage: 'work', notCoveredReason: null, workCoverageAssignee: 'p-wang' });
  });

  it('counts work coverage only with a named person: an assignee null, [] or blank in an old event covers nothing', () => {
    for (const assignee of [null, [], { personId: '', name: '' }, { personId: '  ', name: '王' }, undefined]) {
      const status = fold([registered(0), recorded(2, 'WorkCoverageAssigned', { creditCode: code, coveredBy: 'liaison', assignee, reason: 'no-party-members', mustBeOrganisationallyCovered: false })]);
      expect(status).toMatchObject({ coverage: 'none', notCoveredReason: 'needs-assignee', workCoverageAssignee: null, workCoverage: { assignee: null } });
    }
  });

  it('reads WorkCoverageNeeded as not covered until a person is named, even where a person was named before', () => {
    const named = fold([
      registered(0),
      recorded(2, 'WorkCoverageAssigned', { creditCode: code, coveredBy: 'liaison', assignee: { personId: 'p-li', name: '李' }, reason: 'no-party-members', mustBeOrganisationallyCovered: false }),
    ]);
    const needed = evolveEnterpriseStatus(named, recorded(3, 'WorkCoverageNeeded', { creditCode: code, district: '430104', coveredBy: 'liaison', reason: 'no-party-members', mustBeOrganisationallyCovered: false }));
    expect(needed).toMatchObject({ coverage: 'none', notCoveredReason: 'needs-assignee', workCoverageAssignee: null });
  });

  it('gives each uncovered enterprise the reason an officer acts on', () => {
    expect(fold([registered(0)])?.notCoveredReason).toBe('needs-assignee');
    expect(fold([registered(2)])?.notCoveredReason).toBe('awaiting-joint-members');
    expect(fold([registered(1, 80)])?.notCoveredReason).toBe('needs-organisation');
    expect(fold([registered(0, 80)])?.notCoveredReason).toBe('needs-assignee');
    expect(evolveEnterpriseStatus(fold([registered(0)]), recorded(2, 'OperatingStatusChanged', { creditCode: code, status: 'deregistered' }))?.notCoveredReason).toBeNull();
  });

  it('names the person giving work coverage until the enterprise joins an organisation (their caseload is a query on it)', () => {
    const assigned = fold([
      registered(0),
      recorded(2, 'WorkCoverageAssigned', { creditCode: code, coveredBy: 'liaison', assignee: { personId: 'p-li', name: '李' }, reason: 'no-party-members', mustBeOrganisationallyCovered: false }),
    ]);
    expect(assigned).toMatchObject({ coverage: 'work', workCoverage: { coveredBy: 'liaison', assignee: 'p-li' }, workCoverageAssignee: 'p-li' });
    const joined = evolveEnterpriseStatus(assigned, recorded(3, 'EnterpriseJoinedOrg', { orgId: 'o2', district: '430100', creditCode: code, fullMembers: 0, probationaryMembers: 0 }), 'joint');
    expect(joined).toMatchObject({ coverage: 'organisational', workCoverage: null, workCoverageAssignee: null });
    const deregistered = evolveEnterpriseStatus(assigned, recorded(3, 'OperatingStatusChanged', { creditCode: code, status: 'deregistered' }));
    expect(deregistered).toMatchObject({ coverage: 'none', workCoverageAssignee: null });
  });

  it('ignores a dissolution or departure from an organisation it no longer belongs to', () => {
    const inO2 = fold([registered(1), recorded(2, 'EnterpriseJoinedOrg', { orgId: 'o2', district: '430100', creditCode: code, fullMembers: 1, probationaryMembers: 0 })], 'joint');
    expect(inO2).toMatchObject({ orgId: 'o2', mode: 'joint' });
    expect(evolveEnterpriseStatus(inO2, recorded(3, 'OrgDissolved', { orgId: 'o1', district: '430100', reason: 'merged', enterprisesReleased: [code] }))).toBeUndefined();
    expect(evolveEnterpriseStatus(inO2, recorded(3, 'EnterpriseLeftOrg', { orgId: 'o1', district: '430100', creditCode: code, reason: 'regrouped' }))).toBeUndefined();
  });

  it('flags 50+ employee enterprises with members (rule 5), but not once deregistered', () => {
    const big = fold([registered(1, 80)]);
    expect(big?.mustBeOrganisationallyCovered).toBe(true);
    expect(evolveEnterpriseStatus(big, recorded(2, 'EmployeeCountChanged', { creditCode: code, employees: 49 }))?.mustBeOrganisationallyCovered).toBe(false);
    expect(evolveEnterpriseStatus(big, recorded(2, 'OperatingStatusChanged', { creditCode: code, status: 'deregistered' }))?.mustBeOrganisationallyCovered).toBe(false);
  });

  it('keeps the officer’s ledger corrections, and knows nothing of unregistered enterprises', () => {
    const corrected = evolveEnterpriseStatus(fold([registered(0)]), recorded(2, 'LedgerCorrected', { creditCode: code, corrected: { park: 'port', reasonNoOrganisation: 'members work off-site' } }));
    expect(corrected).toMatchObject({ park: 'port', noOrganisationNote: 'members work off-site' });
    expect(evolveEnterpriseStatus(undefined, recorded(1, 'MemberCountChanged', { creditCode: code, fullMembers: 3, probationaryMembers: 0 }))).toBeUndefined();
  });
});
