import { join } from 'node:path';
import Database from 'better-sqlite3';
import { orgStreamId } from '@liangxin/contracts';
import { EVALUATION_ORGS, INSTRUCTOR_REVIEWS, READ_MODELS_FILE } from '@liangxin/read-models';
import { generateCreditCode } from '@liangxin/registry-domain';
import { FIVE_STANDARDS_RUBRIC, startTestSystem, type TestSystem } from './testing';

// Review findings on tenancy: coverage of an ownership spanning districts, the audit trail of an organisation the
// read models do not know yet, and gateway pre-checks that read lagging read models (the services decide on the record).
const A = '430104';
const B = '430105';
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const SPANNING = { ownership: 'foreign', park: 'review-park-ab', industryChain: 'review-chain-ab' };

describe('tenancy review findings (embedded system)', () => {
  let system: TestSystem;
  const tokens = { officerA: '', auditorA: '' };
  const orgsOfA: string[] = [];

  const issue = async (principal: object) => {
    const answer = await system.call('/api/admin/tokens', { method: 'POST', json: principal });
    if (answer.status !== 201) throw new Error(`issuing a token failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.token as string;
  };
  const register = async (district: string, serial: number, extra: object) => {
    const creditCode = generateCreditCode(district, serial);
    const registered = await system.call('/api/enterprises', { method: 'POST', json: { creditCode, name: `复核企业${serial}`, kind: 'enterprise', employees: 30, fullMembers: 3, probationaryMembers: 0, ...extra } });
    if (registered.status !== 201) throw new Error(`registering ${creditCode}: ${registered.status} ${JSON.stringify(registered.body)}`);
    return creditCode;
  };

  beforeAll(async () => {
    system = await startTestSystem();
    tokens.officerA = await issue({ subject: 'review-officer-a', role: 'officer', districts: [A] });
    tokens.auditorA = await issue({ subject: 'review-auditor-a', role: 'auditor', districts: [A] });
    expect((await system.call('/api/evaluation/rubric', { method: 'PUT', json: FIVE_STANDARDS_RUBRIC })).status).toBe(200);
    await register(A, 1, SPANNING);
    await register(B, 1, SPANNING);
    await register(A, 2, { ownership: 'hong-kong-macao-taiwan' });
    const inA = [3, 4, 5].map((serial) => generateCreditCode(A, serial));
    for (const serial of [3, 4, 5]) await register(A, serial, {});
    const head = await system.settled();
    for (const code of inA) {
      const enterprise = await system.call(`/api/enterprises/${code}`, { headers: { 'x-min-position': String(head) } });
      orgsOfA.push(enterprise.body.orgId as string);
    }
    expect(orgsOfA).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
  });
  afterAll(async () => {
    await system?.shutdown();
  });

  describe('coverage of an area with enterprises in A and B', () => {
    const areas = [
      ['ownership', `/api/coverage/ownership/${SPANNING.ownership}`],
      ['park', `/api/coverage/park/${SPANNING.park}`],
      ['industry chain', `/api/coverage/industry-chain/${SPANNING.industryChain}`],
    ] as const;
    const callers = ['officerA', 'auditorA'] as const;

    it.each(areas.flatMap(([area, path]) => callers.map((caller) => [area, caller, path] as const)))('%s coverage: refused to %s (it would show B’s figures)', async (_area, caller, path) => {
      const answer = await system.call(path, { token: tokens[caller] });
      expect(answer.status).toBe(403);
      expect(answer.body.details).toEqual([expect.objectContaining({ field: 'key' })]);
    });

    it.each(areas)('%s coverage: an admin reads both districts’ enterprises', async (_area, path) => {
      const answer = await system.call(path);
      expect({ status: answer.status, enterprises: answer.body.enterprises }).toEqual({ status: 200, enterprises: 2 });
    });

    it('an ownership only in A is read by the officer and the auditor of A', async () => {
      for (const caller of callers) expect((await system.call('/api/coverage/ownership/hong-kong-macao-taiwan', { token: tokens[caller] })).status).toBe(200);
    });
  });

  describe('corrections: the service decides on the stream, not a lagging read model', () => {
    const scores = { 'organisation-life': 80, 'role-played': 80 };

    /** As if the read models had not caught up with a write yet: its document is not there (the stream has the write). */
    const forgetDocument = (collection: string, id: string) => {
      const db = new Database(join(system.dataDir, READ_MODELS_FILE));
      try {
        db.pragma('busy_timeout = 10000');
        return db.prepare('DELETE FROM rm_documents WHERE collection LIKE ? AND id = ?').run(`%${collection}%`, id).changes;
      } finally {
        db.close();
      }
    };

    it('corrects an assessment the read models do not show yet', async () => {
      const [orgId] = orgsOfA;
      const completed = await system.call('/api/evaluation/assessments', { method: 'POST', token: tokens.officerA, json: { orgId, district: A, year: YEAR, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores } });
      expect({ status: completed.status, body: completed.body }).toEqual({ status: 201, body: expect.objectContaining({ stars: expect.any(Number) }) });
      await system.waitForReadModels(completed.body.position);
      expect(forgetDocument(EVALUATION_ORGS, orgId)).toBe(1);
      const corrected = await system.call('/api/evaluation/assessments/corrections', {
        method: 'POST',
        token: tokens.officerA,
        json: { orgId, year: YEAR, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores: { 'organisation-life': 60, 'role-played': 60 }, reason: '复核更正' },
      });
      expect({ status: corrected.status, body: corrected.body }).toEqual({ status: 200, body: expect.objectContaining({ totalScore: 60 }) });
    });

    it('corrects an instructor review the read models do not show yet', async () => {
      const personId = 'review-instructor-1';
      const reviewed = await system.call(`/api/instructors/${personId}/reviews`, { method: 'POST', token: tokens.officerA, json: { name: '复核指导员', district: A, year: YEAR, rating: 'competent' } });
      expect(reviewed.status).toBe(201);
      await system.waitForReadModels(reviewed.body.position);
      expect(forgetDocument(INSTRUCTOR_REVIEWS, personId)).toBe(1);
      const corrected = await system.call(`/api/instructors/${personId}/reviews/${YEAR}/corrections`, { method: 'POST', token: tokens.officerA, json: { rating: 'excellent', reason: '复核更正' } });
      expect({ status: corrected.status, body: corrected.body }).toEqual({ status: 200, body: { position: expect.any(Number) } });
    });

    it('still refuses correcting what was never recorded, and refuses a malformed person id naming personId', async () => {
      expect((await system.call('/api/evaluation/assessments/corrections', { method: 'POST', token: tokens.officerA, json: { orgId: 'never-assessed', year: YEAR, rubricId: FIVE_STANDARDS_RUBRIC.rubricId, scores, reason: '无' } })).status).toBe(404);
      expect((await system.call(`/api/instructors/never-reviewed/reviews/${YEAR}/corrections`, { method: 'POST', token: tokens.officerA, json: { rating: 'excellent', reason: '无' } })).status).toBe(404);
      const malformed = await system.call(`/api/instructors/.hidden/reviews/${YEAR}/corrections`, { method: 'POST', token: tokens.officerA, json: { rating: 'excellent', reason: '无' } });
      expect({ status: malformed.status, details: malformed.body.details }).toEqual({ status: 400, details: [expect.objectContaining({ field: 'personId' })] });
    });
  });

  // Last: these append events the read models' organisation views do not know, as if they had not caught up.
  describe('audit trail of an organisation the read models do not know yet', () => {
    const occurredAt = new Date().toISOString();

    it('takes the district from the organisation’s stream: an officer of A is refused B’s, an admin reads it', async () => {
      const orgId = 'review-probe-in-b';
      const { lastPosition } = await system.eventStore.append(
        orgStreamId(orgId),
        [{ type: 'ReviewProbeNoted', schemaVersion: 1, occurredAt, data: { orgId, district: B }, metadata: { actor: 'officer:b', district: B } }],
        { expected: 'no_stream' },
      );
      await system.waitForReadModels(lastPosition);
      expect((await system.call(`/api/audit/orgs/${orgId}`, { token: tokens.officerA })).status).toBe(403);
      expect((await system.call(`/api/audit/orgs/${orgId}`, { token: tokens.auditorA })).status).toBe(403);
      const byAdmin = await system.call(`/api/audit/orgs/${orgId}`);
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body.items).toHaveLength(1);
    });

    it('answers 404 when not even a stream of the organisation exists, whatever other events name it', async () => {
      const orgId = 'review-probe-nowhere';
      const { lastPosition } = await system.eventStore.append(
        'review-probe-elsewhere',
        [{ type: 'ReviewProbeNoted', schemaVersion: 1, occurredAt, data: { orgId, district: B }, metadata: { actor: 'officer:b', district: B } }],
        { expected: 'no_stream' },
      );
      await system.waitForReadModels(lastPosition);
      expect((await system.call(`/api/audit/orgs/${orgId}`, { token: tokens.officerA })).status).toBe(404);
    });
  });
});
