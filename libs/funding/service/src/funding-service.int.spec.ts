import { fundingBudgetStreamId, FundingPatterns, type NewEvent, orgStreamId, evaluationOrgStreamId, type RecordedEvent } from '@liangxin/contracts';
import { defaultFundingPolicy, formationGrantId } from '@liangxin/funding-domain';
import { ServiceTestbed } from '@liangxin/platform/testing';
import { FUNDING_CONSUMER, FundingServiceModule } from './funding-service.module';

const DISTRICT = '430104';
const YEAR = 2024;
const BUDGET = fundingBudgetStreamId(DISTRICT, YEAR);

const orgFormed = (orgId: string, district: string, occurredAt: string, creditCode = '91430104MA4L000001'): NewEvent => ({
  type: 'OrgFormed',
  schemaVersion: 1,
  occurredAt,
  data: {
    orgId,
    district,
    automatic: true,
    policyVersion: 'formation-test',
    name: `${orgId} 党支部`,
    mode: 'standalone',
    level: 'branch',
    committeeSize: 0,
    enterprises: [{ creditCode, fullMembers: 3, probationaryMembers: 0 }],
    fullMembers: 3,
    probationaryMembers: 0,
  },
  metadata: { actor: 'system:formation', correlationId: `registration-of-${orgId}`, district },
});

const assessment = (type: 'AssessmentCompleted' | 'AssessmentCorrected', orgId: string, passed: boolean, extra: object = {}): NewEvent => ({
  type,
  schemaVersion: 1,
  data: {
    orgId,
    district: DISTRICT,
    year: YEAR,
    rubricId: 'five-standards',
    rubricVersion: 1,
    scores: { 'role-played': passed ? 80 : 40 },
    totalScore: passed ? 80 : 40,
    stars: passed ? 5 : 1,
    passed,
    ...extra,
  },
  metadata: { actor: 'officer:reviewer', district: DISTRICT },
});

describe('funding service as a Nest microservice over the in-process transport and SQLite', () => {
  let testbed: ServiceTestbed;
  let store: ServiceTestbed['store'];
  let checkpoints: ServiceTestbed['checkpoints'];
  let deadLetters: ServiceTestbed['deadLetters'];

  beforeEach(async () => {
    testbed = await ServiceTestbed.start({
      name: FUNDING_CONSUMER,
      module: FundingServiceModule,
      actor: 'officer:zhang',
      server: { maxDeliveries: 2, retryBackoffMs: 1, checkpointEvery: 1 },
    });
    ({ store, checkpoints, deadLetters } = testbed);
  });

  afterEach(async () => {
    await testbed.close();
  });

  const startService = () => testbed.startService();
  const stopService = () => testbed.stopService();
  const send = <R extends object = object>(pattern: string, payload: object, commandId?: string) => testbed.send<R>(pattern, payload, commandId);
  const sendExpectingRefusal = (pattern: string, payload: object) => testbed.refusalCode(pattern, payload);
  const caughtUp = () => testbed.caughtUp();
  const budgetEvents = () => store.readStream(BUDGET);
  /** An organisation formation recorded (in 2024, in the test's district, unless said otherwise); gives the OrgFormed event. */
  const formed = async (orgId: string, occurredAt = '2024-03-01T00:00:00.000Z', creditCode = `91430104MA4L0${orgId.replace(/\D/g, '').padStart(5, '0')}`) =>
    (await store.append(orgStreamId(orgId), [orgFormed(orgId, DISTRICT, occurredAt, creditCode)], { expected: 'any' })).events[0];

  it('pays the formation subsidy once when an organisation is formed, even when OrgFormed is delivered twice', async () => {
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: 1_000_000_00 });
    const [formed] = (await store.append(orgStreamId('org-1'), [orgFormed('org-1', DISTRICT, '2024-05-20T02:00:00.000Z')], { expected: 'no_stream' })).events;
    await caughtUp();

    const grants = (await budgetEvents()).filter((e) => e.type === 'SubsidyGranted');
    expect(grants).toHaveLength(1);
    expect(grants[0].data).toMatchObject({ grantId: formationGrantId('org-1'), orgId: 'org-1', item: 'formation', amountFen: defaultFundingPolicy.formationSubsidyFen, justifiedBy: [formed.eventId] });
    expect(grants[0].metadata).toMatchObject({ actor: 'system:funding', causationId: formed.eventId, correlationId: 'registration-of-org-1', policyVersion: defaultFundingPolicy.version });

    // A consumer that lost its checkpoint gets every event again.
    await stopService();
    await checkpoints.save(FUNDING_CONSUMER, { position: 0 });
    await startService();
    await caughtUp();

    expect((await budgetEvents()).map((e) => e.type)).toEqual(['BudgetAllocated', 'SubsidyGranted']);
    expect(await deadLetters.list(FUNDING_CONSUMER)).toEqual([]);
  });

  it('records a refusal instead of a grant when the district has no budget for the year the organisation was formed', async () => {
    await store.append(orgStreamId('org-9'), [orgFormed('org-9', '430105', '2024-03-01T00:00:00.000Z')], { expected: 'no_stream' });
    await caughtUp();

    const events = await store.readStream(fundingBudgetStreamId('430105', 2024));
    expect(events.map((e) => [e.type, e.data['reason']])).toEqual([['SubsidyRefused', 'budget_not_allocated']]);
  });

  it('refuses a grant beyond the remaining budget with BUDGET_EXCEEDED and appends nothing', async () => {
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: 50_000_00 });
    const { eventId } = await formed('org-2');
    await caughtUp();
    const before = await budgetEvents();

    const code = await sendExpectingRefusal(FundingPatterns.grantSubsidy, {
      district: DISTRICT,
      year: YEAR,
      orgId: 'org-2',
      item: 'venue_construction',
      venueScale: 'large',
      justifiedBy: [eventId],
    });

    expect(code).toBe('BUDGET_EXCEEDED');
    expect(await budgetEvents()).toEqual(before);
  });

  it('pays a grant once per command id, naming the grant after the command when the caller chose no id, and claws it back', async () => {
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: 100_000_00 });
    const { eventId } = await formed('org-3');
    await caughtUp();
    const grant = { district: DISTRICT, year: YEAR, orgId: 'org-3', item: 'venue_construction', venueScale: 'medium', justifiedBy: [eventId] };

    const first = await send<{ grantId: string }>(FundingPatterns.grantSubsidy, grant, 'officer-retry-1');
    const retried = await send<{ grantId: string }>(FundingPatterns.grantSubsidy, grant, 'officer-retry-1');
    expect(retried).toEqual({ ...first, idempotentReplay: true });
    expect((await budgetEvents()).filter((e) => e.type === 'SubsidyGranted' && e.data['item'] === 'venue_construction')).toHaveLength(1);

    const grantId = first.result?.grantId as string;
    const clawBack = { district: DISTRICT, year: YEAR, grantId, reason: 'site never built' };
    // a claw-back, too, is justified by the record: an invented event, or one about another organisation, is refused
    expect(await sendExpectingRefusal(FundingPatterns.clawBackSubsidy, { ...clawBack, justifiedBy: ['inspection-9'] })).toBe('JUSTIFYING_EVENT_NOT_FOUND');
    const other = await formed('org-3b', undefined, '91430104MA4L099993');
    await caughtUp();
    expect(await sendExpectingRefusal(FundingPatterns.clawBackSubsidy, { ...clawBack, justifiedBy: [other.eventId] })).toBe('JUSTIFICATION_NOT_ACCEPTED');
    expect(await sendExpectingRefusal(FundingPatterns.clawBackSubsidy, { ...clawBack, justifiedBy: [eventId] })).toBe('JUSTIFICATION_NOT_ACCEPTED'); // its forming
    const [recount] = (
      await store.append(
        orgStreamId('org-3'),
        [{ type: 'OrgMembersRecounted', schemaVersion: 1, data: { orgId: 'org-3', district: DISTRICT, creditCode: '91430104MA4L000003', fullMembers: 2, probationaryMembers: 0, fullMembersTotal: 2, probationaryMembersTotal: 0 }, metadata: { actor: 'test' } }],
        { expected: 'any' },
      )
    ).events;
    await send(FundingPatterns.clawBackSubsidy, { ...clawBack, justifiedBy: [recount.eventId] });
    expect(await sendExpectingRefusal(FundingPatterns.clawBackSubsidy, { district: DISTRICT, year: YEAR, grantId, reason: 'again', justifiedBy: ['x'] })).toBe(
      'GRANT_ALREADY_CLAWED_BACK',
    );
    // the formation subsidies org-3 and org-3b were paid when formed, then the venue grant and its claw-back
    expect((await budgetEvents()).map((e) => [e.type, e.data['item']])).toEqual([
      ['BudgetAllocated', undefined],
      ['SubsidyGranted', 'formation'],
      ['SubsidyGranted', 'venue_construction'],
      ['SubsidyGranted', 'formation'],
      ['SubsidyClawedBack', 'venue_construction'],
    ]);
  });

  it('makes the secretary post subsidy payable once the annual review is passed, and takes it back when a correction fails it', async () => {
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: 100_000_00 });
    await formed('org-4');
    const [secretary] = (
      await store.append(orgStreamId('org-4'), [{ type: 'SecretaryAssigned', schemaVersion: 1, data: { orgId: 'org-4', district: DISTRICT, secretary: { personId: 'p-li', name: '李' } }, metadata: { actor: 'officer:zhang' } }], {
        expected: 'any',
      })
    ).events;
    await caughtUp();
    const postSubsidy = { district: DISTRICT, year: YEAR, orgId: 'org-4', item: 'secretary_post', payee: 'secretary-li', justifiedBy: [secretary.eventId] };
    expect(await sendExpectingRefusal(FundingPatterns.grantSubsidy, postSubsidy)).toBe('SECRETARY_POST_NOT_ELIGIBLE');

    const [passed] = (await store.append(evaluationOrgStreamId('org-4'), [assessment('AssessmentCompleted', 'org-4', true)], { expected: 'no_stream' })).events;
    await caughtUp();
    const confirmed = (await budgetEvents()).find((e) => e.type === 'SecretaryPostEligibilityConfirmed') as RecordedEvent;
    expect(confirmed.data).toMatchObject({ orgId: 'org-4', stars: 5, justifiedBy: [passed.eventId] });

    const { result } = await send<{ grantId: string }>(FundingPatterns.grantSubsidy, postSubsidy);
    await store.append(
      evaluationOrgStreamId('org-4'),
      [assessment('AssessmentCorrected', 'org-4', false, { previousTotalScore: 80, previousStars: 5, previousPassed: true, reason: 'minutes were forged' })],
      { expected: 0 },
    );
    await caughtUp();

    const tail = (await budgetEvents()).slice(-3);
    expect(tail.map((e) => e.type)).toEqual(['SubsidyGranted', 'SecretaryPostEligibilityRevoked', 'SubsidyClawedBack']);
    expect(tail[2].data).toMatchObject({ grantId: result?.grantId, orgId: 'org-4', item: 'secretary_post' });
  });

  it('refuses a grant to an organisation never formed, and one justified by events the store does not hold, appending nothing', async () => {
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: 100_000_00 });
    const { eventId } = await formed('org-5');
    await caughtUp();
    const before = await budgetEvents();
    const grant = { district: DISTRICT, year: YEAR, item: 'operating_funds', amountFen: 1_000_00 };

    expect(await sendExpectingRefusal(FundingPatterns.grantSubsidy, { ...grant, orgId: 'ghost-org', justifiedBy: [eventId] })).toBe('ORG_NOT_FOUND');
    expect(await sendExpectingRefusal(FundingPatterns.grantSubsidy, { ...grant, orgId: 'org-5', justifiedBy: ['no-such-event'] })).toBe('JUSTIFYING_EVENT_NOT_FOUND');
    expect(await sendExpectingRefusal(FundingPatterns.grantSubsidy, { ...grant, year: 2031, orgId: 'org-5', justifiedBy: [eventId] })).toBe('YEAR_IN_FUTURE');
    expect(await budgetEvents()).toEqual(before);
  });

  it('pays no second formation subsidy when a branch is formed again for the same enterprise', async () => {
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: 100_000_00 });
    const creditCode = '91430104MA4L000066';
    await formed('joint-430104-1', '2024-03-01T00:00:00.000Z', creditCode);
    await formed('joint-430104-1-2', '2024-04-01T00:00:00.000Z', creditCode);
    await caughtUp();

    const formation = (await budgetEvents()).filter((e) => e.data['item'] === 'formation');
    expect(formation.map((e) => [e.type, e.data['orgId'], e.data['reason']])).toEqual([
      ['SubsidyGranted', 'joint-430104-1', undefined],
      ['SubsidyRefused', 'joint-430104-1-2', 'enterprise_already_subsidised'],
    ]);
  });

  it('pays the formation subsidies refused for want of a budget once the budget is allocated, and only once', async () => {
    await formed('org-7', '2024-02-01T00:00:00.000Z');
    await formed('org-8', '2024-02-02T00:00:00.000Z');
    await caughtUp();
    expect((await budgetEvents()).map((e) => [e.type, e.data['reason']])).toEqual([
      ['SubsidyRefused', 'budget_not_allocated'],
      ['SubsidyRefused', 'budget_not_allocated'],
    ]);

    // money for one of the two: the first waiting is paid, the other waits for the next allocation
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: defaultFundingPolicy.formationSubsidyFen });
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: defaultFundingPolicy.formationSubsidyFen });
    await send(FundingPatterns.allocateBudget, { district: DISTRICT, year: YEAR, amountFen: defaultFundingPolicy.formationSubsidyFen });

    const grants = (await budgetEvents()).filter((e) => e.type === 'SubsidyGranted');
    expect(grants.map((e) => [e.data['orgId'], e.data['grantId'], e.metadata.actor])).toEqual([
      ['org-7', formationGrantId('org-7'), 'system:funding'],
      ['org-8', formationGrantId('org-8'), 'system:funding'],
    ]);
  });
});
