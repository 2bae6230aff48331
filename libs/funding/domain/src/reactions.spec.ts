import type { AssessmentCompleted, AssessmentCorrected, OrgFormed, RecordedEvent } from '@liangxin/contracts';
import { fold } from '@liangxin/event-sourcing';
import { budgetDecider, type BudgetCommand } from './budget';
import { defaultFundingPolicy } from './policy';
import { FUNDING_ACTOR, FUNDING_TRIGGER_EVENT_TYPES, FUNDING_TRIGGER_STREAM_PREFIXES, fundingReactionsTo } from './reactions';

const recorded = <E extends RecordedEvent>(event: Omit<E, 'streamVersion' | 'globalPosition' | 'recordedAt'>): E =>
  ({ streamVersion: 0, globalPosition: 1, recordedAt: event.occurredAt, ...event }) as E;

const orgFormed = (overrides: Partial<OrgFormed['data']> = {}, occurredAt = '2024-05-20T02:00:00.000Z') =>
  recorded<RecordedEvent<OrgFormed>>({
    type: 'OrgFormed',
    schemaVersion: 1,
    eventId: 'evt-formed-1',
    streamId: 'org-org-a',
    occurredAt,
    metadata: { actor: 'system:formation', correlationId: 'corr-registration-1' },
    data: {
      orgId: 'org-a',
      district: '430104',
      automatic: true,
      policyVersion: 'formation-1',
      name: 'XX科技有限公司党支部',
      mode: 'standalone',
      level: 'branch',
      committeeSize: 0,
      enterprises: [{ creditCode: '91350100M000100Y43', fullMembers: 3, probationaryMembers: 0 }],
      fullMembers: 3,
      probationaryMembers: 0,
      ...overrides,
    },
  });

const outcome = { orgId: 'org-a', district: '430104', year: 2024, rubricId: 'five-standards', rubricVersion: 1, scores: { a: 80 }, totalScore: 80, stars: 5 };

const completed = (passed: boolean) =>
  recorded<RecordedEvent<AssessmentCompleted>>({
    type: 'AssessmentCompleted',
    schemaVersion: 1,
    eventId: 'evt-assessed-1',
    streamId: 'evaluation-org-org-a',
    occurredAt: '2025-01-10T02:00:00.000Z',
    metadata: { actor: 'officer-7' },
    data: { ...outcome, passed },
  });

const corrected = (passed: boolean) =>
  recorded<RecordedEvent<AssessmentCorrected>>({
    type: 'AssessmentCorrected',
    schemaVersion: 1,
    eventId: 'evt-corrected-1',
    streamId: 'evaluation-org-org-a',
    occurredAt: '2025-03-01T02:00:00.000Z',
    metadata: { actor: 'officer-7', correlationId: 'corr-audit' },
    data: { ...outcome, passed, previousTotalScore: 70, previousStars: 4, previousPassed: !passed, reason: 'attendance records were forged' },
  });

describe('funding process manager', () => {
  describe('on OrgFormed', () => {
    it('requests the formation subsidy from the budget of the district and year of formation', () => {
      const [reaction, ...others] = fundingReactionsTo(orgFormed());
      expect(others).toEqual([]);
      expect(reaction).toEqual({
        streamId: 'funding-budget-430104-2024',
        commandId: 'funding:formation-subsidy:evt-formed-1',
        command: {
          type: 'RequestFormationSubsidy',
          district: '430104',
          year: 2024,
          grantId: 'formation-org-a',
          orgId: 'org-a',
          orgFormedOn: '2024-05-20T02:00:00.000Z',
          enterprises: ['91350100M000100Y43'],
          justifiedBy: ['evt-formed-1'],
        },
        metadata: { actor: FUNDING_ACTOR, causationId: 'evt-formed-1', correlationId: 'corr-registration-1', district: '430104', policyVersion: defaultFundingPolicy.version },
      });
    });

    it('charges an organisation formed on New Year’s morning in Beijing to the new year', () => {
      const [reaction] = fundingReactionsTo(orgFormed({}, '2024-12-31T17:00:00.000Z'));
      expect(reaction.streamId).toBe('funding-budget-430104-2025');
    });

    it('leaves organisations of public units to their own budgets', () => {
      expect(fundingReactionsTo(orgFormed({ publicUnit: true }))).toEqual([]);
    });

    it('produces a command the budget grants while money remains, and refuses (on record) when none does', () => {
      const [{ command }] = fundingReactionsTo(orgFormed());
      const funded = fold(budgetDecider, [{ type: 'BudgetAllocated', schemaVersion: 1, data: { district: '430104', year: 2024, amountFen: 5_000_000 } }]);
      expect(budgetDecider.decide(command, funded).map((e) => e.type)).toEqual(['SubsidyGranted']);
      expect(budgetDecider.decide(command, budgetDecider.initialState())).toMatchObject([{ type: 'SubsidyRefused', data: { reason: 'budget_not_allocated' } }]);
    });
  });

  describe('on AssessmentCompleted', () => {
    it('makes the secretary of an organisation that passed eligible for the post subsidy of that year', () => {
      expect(fundingReactionsTo(completed(true))).toEqual([
        {
          streamId: 'funding-budget-430104-2024',
          commandId: 'funding:secretary-post-eligibility:evt-assessed-1',
          command: { type: 'ConfirmSecretaryPostEligibility', district: '430104', year: 2024, orgId: 'org-a', stars: 5, justifiedBy: ['evt-assessed-1'] },
          metadata: { actor: FUNDING_ACTOR, causationId: 'evt-assessed-1', correlationId: 'evt-assessed-1', district: '430104', policyVersion: defaultFundingPolicy.version },
        },
      ]);
    });

    it('does nothing for a fail', () => {
      expect(fundingReactionsTo(completed(false))).toEqual([]);
    });
  });

  describe('on AssessmentCorrected', () => {
    it('revokes eligibility when a pass is corrected to a fail, and the budget claws back a post subsidy paid', () => {
      const [reaction] = fundingReactionsTo(corrected(false));
      expect(reaction.command).toMatchObject({ type: 'RevokeSecretaryPostEligibility', orgId: 'org-a', year: 2024, justifiedBy: ['evt-corrected-1'] });
      expect(reaction.metadata.correlationId).toBe('corr-audit');

      const [eligibility] = fundingReactionsTo(completed(true));
      let state = fold(budgetDecider, [{ type: 'BudgetAllocated', schemaVersion: 1, data: { district: '430104', year: 2024, amountFen: 5_000_000 } }]);
      const apply = (command: BudgetCommand) => {
        const events = budgetDecider.decide(command, state);
        state = events.reduce(budgetDecider.evolve, state);
        return events;
      };
      apply(eligibility.command);
      apply({
        type: 'GrantSubsidy',
        district: '430104',
        year: 2024,
        grantId: 'post-1',
        orgId: 'org-a',
        item: 'secretary_post',
        payee: 'Li',
        justifiedBy: ['evt-assessed-1'],
        facts: {
          organisation: { orgId: 'org-a', formed: true, district: '430104', formedAt: '2023-05-01T00:00:00Z', publicUnit: false, secretary: { personId: 'p-li', name: 'Li' }, enterprises: [] },
          justifying: [{ eventId: 'evt-assessed-1', type: 'AssessmentCompleted', orgId: 'org-a' }],
          currentYear: 2026,
          earlierFormationSubsidies: new Map(),
        },
      });
      expect(apply(reaction.command).map((e) => e.type)).toEqual(['SecretaryPostEligibilityRevoked', 'SubsidyClawedBack']);
      expect(state.committedFen).toBe(0);
    });

    it('confirms eligibility when a fail is corrected to a pass', () => {
      expect(fundingReactionsTo(corrected(true)).map((r) => r.command.type)).toEqual(['ConfirmSecretaryPostEligibility']);
    });
  });

  it('names the streams and types a subscription must deliver for every event it reacts to', () => {
    for (const event of [orgFormed(), completed(true), corrected(false)]) {
      expect(FUNDING_TRIGGER_EVENT_TYPES).toContain(event.type);
      expect(FUNDING_TRIGGER_STREAM_PREFIXES.some((prefix) => event.streamId.startsWith(prefix))).toBe(true);
    }
  });

  it('ignores events it has no rule for', () => {
    expect(fundingReactionsTo({ ...completed(true), type: 'OrgDissolved' })).toEqual([]);
  });
});
