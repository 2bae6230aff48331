import { generateCreditCode } from '@liangxin/registry-domain';
import { readYourWritesCaller, startTestSystem, type TestSystem } from './testing';

// Instructors and liaison cadres (docs/domain.md): their work is reviewed each year and tied to their own appraisal.
// Over HTTP: a liaison cadre covering two enterprises is reviewed for 2025 with that caseload recorded, the year
// cannot be reviewed twice, a correction keeps what it replaced, and other districts and auditors cannot write.
const DISTRICT = '430104';
const OTHER_DISTRICT = '430105';
const zhao = { personId: 'p-zhao', name: '赵挂点干部' };

describe('instructor reviews over HTTP (embedded system)', () => {
  let system: TestSystem;
  let caller: ReturnType<typeof readYourWritesCaller>;
  const call: ReturnType<typeof readYourWritesCaller>['call'] = (...args) => caller.call(...args);
  const tokens = { officer: '', officerB: '', auditor: '' };

  beforeAll(async () => {
    system = await startTestSystem();
    caller = readYourWritesCaller(system);
    const issue = async (principal: object) => (await system.call('/api/admin/tokens', { method: 'POST', json: principal })).body.token as string;
    tokens.officer = await issue({ subject: 'review-officer', role: 'officer', districts: [DISTRICT] });
    tokens.officerB = await issue({ subject: 'review-officer-b', role: 'officer', districts: [OTHER_DISTRICT] });
    tokens.auditor = await issue({ subject: 'review-auditor', role: 'auditor', districts: [DISTRICT, OTHER_DISTRICT] });
    for (const serial of [1, 2]) {
      const creditCode = generateCreditCode(DISTRICT, 300 + serial);
      const created = await call('POST', '/api/enterprises', tokens.officer, { creditCode, name: `挂点企业${serial}`, kind: 'enterprise', employees: 8, fullMembers: 0, probationaryMembers: 0 });
      expect(created.status).toBe(201);
      await system.settled();
      const assigned = await call('PUT', `/api/enterprises/${creditCode}/work-coverage`, tokens.officer, { coveredBy: 'liaison', assignee: zhao });
      expect(assigned.status).toBe(200);
    }
    await caller.settle();
  });

  afterAll(async () => {
    await system.shutdown();
  });

  const review = { name: zhao.name, district: DISTRICT, year: 2025, rating: 'competent', note: '走访到位，台账清楚' };

  it('records a year’s review with the caseload carried, and lists it', async () => {
    const recorded = await call('POST', `/api/instructors/${zhao.personId}/reviews`, tokens.officer, review);
    expect(recorded).toMatchObject({ status: 201, body: { enterprisesCovered: 2, position: expect.any(Number) } });
    const listed = await call('GET', `/api/instructors/${zhao.personId}/reviews`, tokens.auditor);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ personId: zhao.personId, name: zhao.name, reviews: [{ year: 2025, rating: 'competent', enterprisesCovered: 2, reviewedBy: 'officer:review-officer', corrections: [] }] });
  });

  it('refuses a second review of the year, bad input, other districts and auditors, appending nothing', async () => {
    const head = await system.settled();
    const again = await call('POST', `/api/instructors/${zhao.personId}/reviews`, tokens.officer, { ...review, rating: 'excellent' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'REVIEW_EXISTS', details: [{ field: 'year' }] });
    const badRating = await call('POST', `/api/instructors/${zhao.personId}/reviews`, tokens.officer, { ...review, year: 2024, rating: 'superb' });
    expect(badRating.status).toBe(400);
    expect(badRating.body.details).toEqual([expect.objectContaining({ field: 'rating' })]);
    expect((await call('POST', `/api/instructors/${zhao.personId}/reviews`, tokens.officerB, { ...review, year: 2024 })).status).toBe(403);
    expect((await call('POST', `/api/instructors/${zhao.personId}/reviews`, tokens.auditor, { ...review, year: 2024 })).status).toBe(403);
    expect((await call('POST', `/api/instructors/${zhao.personId}/reviews/2025/corrections`, tokens.officerB, { rating: 'excellent', reason: 'x' })).status).toBe(403);
    expect((await call('POST', `/api/instructors/${zhao.personId}/reviews/25/corrections`, tokens.officer, { rating: 'excellent', reason: 'x' })).body.details).toEqual([
      expect.objectContaining({ field: 'year' }),
    ]);
    expect((await call('POST', `/api/instructors/${zhao.personId}/reviews/2023/corrections`, tokens.officer, { rating: 'excellent', reason: 'x' })).status).toBe(404);
    expect(await system.eventStore.headPosition()).toBe(head);
  });

  it('corrects the review with a reason, keeping the grade it replaced', async () => {
    const corrected = await call('POST', `/api/instructors/${zhao.personId}/reviews/2025/corrections`, tokens.officer, { rating: 'excellent', reason: '年终复核上调' });
    expect(corrected.status).toBe(200);
    const listed = await call('GET', `/api/instructors/${zhao.personId}/reviews`, tokens.officer);
    expect(listed.body.reviews[0]).toMatchObject({ rating: 'excellent', corrections: [{ rating: 'excellent', previousRating: 'competent', reason: '年终复核上调', by: 'officer:review-officer' }] });
    // an officer of another district sees none of this district's reviews
    expect((await call('GET', `/api/instructors/${zhao.personId}/reviews`, tokens.officerB)).body.reviews).toEqual([]);
  });
});
