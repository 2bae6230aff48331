import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCreditCode } from '@liangxin/registry-domain';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type NewEvent, orgStreamId, serviceRequestStreamId } from '@liangxin/contracts';
import { FIVE_STANDARDS_RUBRIC, startTestSystem, type TestSystem } from './testing';

// The workflows that were API-only, done through the pages in a real headless Chromium against the
// whole embedded system: an enterprise submits a request from its own page and an officer handles it
// end to end, a grant is paid with the event that justifies it, people are assigned, an organisation is
// rated, paired and dissolved, and the page's alerts follow the live stream. Every outcome is checked
// against the API, every refusal against the event store's head (nothing appended).
// DASHBOARD_SCREENSHOTS=docs writes the screens into docs/ (as dashboard.e2e.spec.ts does).
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DISTRICT = '430104';
const PAGE_WAIT_MS = 15_000;
const YEAR = new Date().getFullYear();

const hasChromium = existsSync(CHROMIUM);
const describeInBrowser = hasChromium ? describe : describe.skip;

const testId = (id: string) => `[data-testid="${id}"]`;

describeInBrowser(hasChromium ? 'dashboard workflows in headless Chromium (embedded system)' : `skipped: ${CHROMIUM} not installed`, () => {
  let system: TestSystem;
  let browser: Browser;
  let officer: Page;
  let enterprise: Page;
  let officerToken: string;
  let enterpriseToken: string;
  let orgId: string;
  let requestId: string;
  const pageErrors: string[] = [];
  const screenshotDir = process.env['DASHBOARD_SCREENSHOTS'] === 'docs' ? join(__dirname, '..', '..', '..', 'docs') : mkdtempSync(join(tmpdir(), 'liangxin-workflows-'));
  const withMembers = generateCreditCode(DISTRICT, 11);
  const withoutMembers = generateCreditCode(DISTRICT, 12);

  const register = async (code: string, name: string, fullMembers: number, employees = 20) => {
    const answer = await system.call('/api/enterprises', { method: 'POST', json: { creditCode: code, name, kind: 'enterprise', employees, fullMembers, probationaryMembers: 0 } });
    expect(answer.status).toBe(201);
    return answer.body.position as number;
  };
  const signIn = async (page: Page, path: string, token: string) => {
    await page.goto(system.url + path);
    await page.locator('#token-dialog').waitFor({ state: 'visible' });
    await page.locator(testId('token-input')).fill(token);
    await page.locator(testId('token-save')).click();
  };
  const openPage = async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  };
  /** the section as it is on screen, into docs/ when asked for */
  const shoot = async (page: Page, selector: string, file: string) => {
    mkdirSync(screenshotDir, { recursive: true });
    await page.waitForTimeout(600);
    // the sticky header would cover the section in an element screenshot
    await page.evaluate(() => document.querySelector<HTMLElement>('.app-header')?.style.setProperty('position', 'static'));
    const png = await page.locator(selector).screenshot({ path: join(screenshotDir, file) });
    await page.evaluate(() => document.querySelector<HTMLElement>('.app-header')?.style.removeProperty('position'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  };

  beforeAll(async () => {
    system = await startTestSystem();
    await register(withMembers, '岳麓智能制造有限公司', 4, 80);
    await system.waitForReadModels(await register(withoutMembers, '岳麓数据服务有限公司', 0, 60));
    await system.settled();
    officerToken = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'officer-wang', role: 'officer', districts: [DISTRICT] } })).body.token;
    enterpriseToken = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'ent-yuelu', role: 'enterprise', creditCode: withMembers } })).body.token;
    orgId = (await system.call(`/api/enterprises/${withMembers}`)).body.orgId;
    expect(orgId).toEqual(expect.any(String));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    officer = await openPage();
    enterprise = await openPage();
    await signIn(officer, '/', officerToken);
    await officer.locator(`${testId('live-status')}[data-state="live"]`).waitFor({ timeout: PAGE_WAIT_MS });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.shutdown();
    if (process.env['DASHBOARD_SCREENSHOTS'] !== 'docs') rmSync(screenshotDir, { recursive: true, force: true });
  });

  it('an enterprise sees its record and organisation on its own page and submits a request there (a blank one refused, nothing appended)', async () => {
    await signIn(enterprise, '/enterprise.html', enterpriseToken);
    await enterprise.locator(testId('self-name'), { hasText: '岳麓智能制造有限公司' }).waitFor({ timeout: PAGE_WAIT_MS });
    expect(await enterprise.locator(testId('self-org-id')).innerText()).toBe(orgId);
    expect(await enterprise.locator(testId('self-requests-summary')).innerText()).toBe('尚未提出服务需求。');

    const form = enterprise.locator(testId('self-submit-form'));
    const before = await system.settled();
    await form.locator('button[type="submit"]').click();
    await enterprise.locator(testId('sr-error-description')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await system.eventStore.headPosition()).toBe(before);

    await enterprise.locator(testId('sr-category')).selectOption('financing');
    await enterprise.locator(testId('sr-description')).fill('设备更新需要贷款300万元');
    await form.locator('button[type="submit"]').click();
    const row = enterprise.locator(testId('self-request'));
    await row.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await row.innerText()).toMatch(/融资[\s\S]*待受理[\s\S]*设备更新需要贷款300万元/);
    requestId = (await row.getAttribute('data-request-id')) as string;
    const listed = await system.call(`/api/requests?creditCode=${withMembers}`, { headers: { 'x-min-position': String(before + 1) } });
    expect(listed.body.items).toEqual([expect.objectContaining({ requestId, category: 'financing', status: 'received', description: '设备更新需要贷款300万元', submittedBy: 'enterprise:ent-yuelu' })]);
    await shoot(enterprise, 'main', 'dashboard-enterprise.png');
  });

  it('an officer handles the request end to end: accepts with an owner and due date, starts, resolves; the enterprise reopens, the officer resolves again, the enterprise confirms', async () => {
    const row = officer.locator(`${testId('request-row')}[data-request-id="${requestId}"]`);
    await row.waitFor({ timeout: PAGE_WAIT_MS });
    await row.locator(testId('request-open')).click();
    const status = officer.locator(testId('request-status'));
    await status.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await status.innerText()).toBe('待受理');

    // an owner without a name is refused on the page, nothing sent
    const before = await system.settled();
    await officer.locator(testId('ra-ownerId')).fill('sg-yuelu');
    await officer.locator(`${testId('request-accept-form')} button[type="submit"]`).click();
    await officer.locator(testId('ra-error-ownerName')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await system.eventStore.headPosition()).toBe(before);
    await officer.locator(testId('ra-ownerName')).fill('岳麓区企业服务组');
    await officer.locator(`${testId('request-accept-form')} button[type="submit"]`).click();
    await officer.locator(testId('request-status'), { hasText: '已受理' }).waitFor({ timeout: PAGE_WAIT_MS });

    await officer.locator(`${testId('request-start-form')} button[type="submit"]`).click();
    await officer.locator(testId('request-status'), { hasText: '办理中' }).waitFor({ timeout: PAGE_WAIT_MS });
    await officer.locator(testId('rr-resolution')).fill('已协调银行完成贷款审批');
    await officer.locator(`${testId('request-resolve-form')} button[type="submit"]`).click();
    await officer.locator(testId('request-waiting-enterprise')).waitFor({ timeout: PAGE_WAIT_MS });
    await shoot(officer, '#requests', 'dashboard-requests.png');

    // the enterprise's page follows the live stream: it reopens with a reason
    const own = enterprise.locator(`${testId('self-request')}[data-request-id="${requestId}"]`);
    await own.locator(testId('self-request-status'), { hasText: '已办结待确认' }).waitFor({ timeout: PAGE_WAIT_MS });
    await own.locator(`${testId('self-reopen-form')} input[name="reason"]`).fill('贷款额度不足');
    await own.locator(`${testId('self-reopen-form')} button[type="submit"]`).click();
    await own.locator(testId('self-request-status'), { hasText: '已重新打开' }).waitFor({ timeout: PAGE_WAIT_MS });

    await officer.locator(testId('request-status'), { hasText: '已重新打开' }).waitFor({ timeout: PAGE_WAIT_MS });
    expect(await officer.locator(testId('request-detail')).innerText()).toContain('贷款额度不足');
    await officer.locator(`${testId('request-start-form')} button[type="submit"]`).click();
    await officer.locator(testId('request-status'), { hasText: '办理中' }).waitFor({ timeout: PAGE_WAIT_MS });
    await officer.locator(testId('rr-resolution')).fill('追加授信200万元');
    await officer.locator(`${testId('request-resolve-form')} button[type="submit"]`).click();
    await officer.locator(testId('request-waiting-enterprise')).waitFor({ timeout: PAGE_WAIT_MS });

    await own.locator(testId('self-confirm')).waitFor({ timeout: PAGE_WAIT_MS });
    await own.locator(testId('self-confirm')).click();
    await own.locator(testId('self-request-status'), { hasText: '企业已确认' }).waitFor({ timeout: PAGE_WAIT_MS });
    await officer.locator(testId('request-status'), { hasText: '企业已确认' }).waitFor({ timeout: PAGE_WAIT_MS });
    const done = await system.call(`/api/requests/${requestId}`, { headers: { 'x-min-position': String(await system.settled()) } });
    expect(done.body).toMatchObject({ status: 'confirmed', timesReopened: 1, resolution: '追加授信200万元', owner: { kind: 'service-group', id: 'sg-yuelu', name: '岳麓区企业服务组' } });
    expect(await officer.locator(testId('requests-confirmed')).innerText()).toBe('1');
  });

  it('allocates a budget and pays a grant naming the event that justifies it; a grant without one is refused on the page', async () => {
    await officer.locator(testId('bg-year')).fill(String(YEAR));
    await officer.locator(testId('bg-amount')).fill('100000');
    await officer.locator(`${testId('budget-form')} button[type="submit"]`).click();
    const budget = officer.locator(`${testId('budget-row')}[data-year="${YEAR}"]`);
    await budget.waitFor({ timeout: PAGE_WAIT_MS });
    // the funding service pays the organisation's formation subsidy from the new budget by itself
    const settledBudget = async () => (await system.call(`/api/funding/budgets?district=${DISTRICT}`, { headers: { 'x-min-position': String(await system.settled()) } })).body;
    // the year's row may be there before the allocation (a formation subsidy refused for want of a budget): the page's
    // POST is answered when it is answered, so read until it shows or the page's wait is over
    const budgetOfYear = async () => ((await settledBudget()).items as { year: number; allocatedFen: number; leftFen: number }[]).find((b) => b.year === YEAR);
    let allocated = await budgetOfYear();
    for (const until = Date.now() + PAGE_WAIT_MS; allocated?.allocatedFen !== 100_000_00 && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      allocated = await budgetOfYear();
    }
    expect(allocated).toMatchObject({ allocatedFen: 100_000_00 });
    const yuan = (fen: number) => new Intl.NumberFormat('zh-CN').format(fen / 100);
    await budget.locator(testId('budget-left'), { hasText: yuan((allocated as { leftFen: number }).leftFen) }).waitFor({ timeout: PAGE_WAIT_MS });

    await officer.locator(`${testId('org-row')}[data-org-id="${orgId}"] button`).click();
    await officer.locator(testId('org-show-funding')).click();
    await officer.locator(testId('funding-org-summary')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    await officer.locator(testId('gr-item')).selectOption('member_activity');
    await officer.locator(testId('gr-amount')).fill('500');
    const before = await system.settled();
    await officer.locator(`${testId('grant-form')} button[type="submit"]`).click();
    await officer.locator(testId('gr-error-justifiedBy')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await system.eventStore.headPosition()).toBe(before);

    const formed = officer.locator(`${testId('gr-justify')}[data-type="OrgFormed"]`);
    const formedEventId = await formed.getAttribute('value');
    await formed.check();
    await officer.locator(`${testId('grant-form')} button[type="submit"]`).click();
    const grant = officer.locator(testId('grant'), { hasText: '党员活动经费' });
    await grant.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await grant.innerText()).toMatch(/党员活动经费[\s\S]*500[\s\S]*发放依据[\s\S]*党组织组建/);
    const paid = await system.call(`/api/funding/orgs/${orgId}`, { headers: { 'x-min-position': String(before + 1) } });
    expect(paid.body.grants).toContainEqual(expect.objectContaining({ item: 'member_activity', amountFen: 500_00, justifiedBy: [formedEventId], year: YEAR }));
    await budget.locator(testId('budget-left'), { hasText: yuan((allocated as { leftFen: number }).leftFen - 500_00) }).waitFor({ timeout: PAGE_WAIT_MS });
    await shoot(officer, '#funding', 'dashboard-funding.png');
  });

  it('assigns the secretary, asks for a reason to replace them, and assigns an instructor from the worklist', async () => {
    await officer.locator(`${testId('org-row')}[data-org-id="${orgId}"] button`).click();
    await officer.locator(testId('sec-personId')).fill('p-zhang');
    await officer.locator(testId('sec-name')).fill('张书记');
    await officer.locator(`${testId('org-secretary-form')} button[type="submit"]`).click();
    await officer.locator(testId('org-secretary'), { hasText: '张书记' }).waitFor({ timeout: PAGE_WAIT_MS });

    const before = await system.settled();
    await officer.locator(testId('sec-personId')).fill('p-li');
    await officer.locator(testId('sec-name')).fill('李书记');
    await officer.locator(`${testId('org-secretary-form')} button[type="submit"]`).click();
    await officer.locator(testId('sec-error-reason')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await system.eventStore.headPosition()).toBe(before);
    await officer.locator(testId('sec-reason')).fill('原书记调离');
    await officer.locator(`${testId('org-secretary-form')} button[type="submit"]`).click();
    await officer.locator(testId('org-secretary'), { hasText: '李书记' }).waitFor({ timeout: PAGE_WAIT_MS });
    const org = await system.call(`/api/orgs/${orgId}`, { headers: { 'x-min-position': String(before + 1) } });
    expect(org.body.secretary).toMatchObject({ personId: 'p-li', name: '李书记' });

    const row = officer.locator(`${testId('worklist-row')}[data-credit-code="${withoutMembers}"]`);
    await row.locator(testId('worklist-assign')).click();
    await officer.locator(testId('wa-coveredBy')).selectOption('liaison');
    await officer.locator(testId('wa-personId')).fill('p-zhao');
    await officer.locator(testId('wa-name')).fill('赵挂点');
    await officer.locator(`${testId('worklist-assign-form')} button[type="submit"]`).click();
    // the record first (the page's POST is answered when it is answered on a loaded machine), then the page follows it
    const coverage = async () => (await system.call(`/api/enterprises/${withoutMembers}`, { headers: { 'x-min-position': String(await system.settled()) } })).body.coverage;
    let covered = await coverage();
    for (const until = Date.now() + 2 * PAGE_WAIT_MS; covered !== 'work' && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      covered = await coverage();
    }
    expect(covered).toBe('work');
    await row.waitFor({ state: 'detached', timeout: 2 * PAGE_WAIT_MS });
  });

  it('rates an organisation against the rubric, shows the district distribution, and corrects it only with a reason', async () => {
    expect((await system.call('/api/evaluation/rubric', { method: 'PUT', json: FIVE_STANDARDS_RUBRIC })).status).toBe(200);
    // the organisation was formed this year: last year's assessment is refused in the officer's words, nothing appended
    const refusedAt = await system.settled();
    await officer.locator(testId('as-orgId')).fill(orgId);
    await officer.locator(testId('as-year')).fill(String(YEAR - 1));
    await officer.locator(testId('as-scores')).fill('organisation-life=90\nrole-played=80');
    await officer.locator(`${testId('assessment-form')} button[type="submit"]`).click();
    const refusal = officer.locator(testId('assessment-form-error'));
    await refusal.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await refusal.innerText()).toContain('所选年度未存续');
    expect(await system.eventStore.headPosition()).toBe(refusedAt);

    await officer.locator(testId('as-year')).fill(String(YEAR));
    await officer.locator(`${testId('assessment-form')} button[type="submit"]`).click();
    await officer.locator(testId('assessment-result'), { hasText: '★' }).waitFor({ timeout: PAGE_WAIT_MS });
    const year = officer.locator(`${testId('rating-year')}[data-year="${YEAR}"]`);
    await year.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await year.locator(testId('rating-pass-rate')).innerText()).toBe('100.0%');

    const before = await system.settled();
    await officer.locator(testId('ac-orgId')).fill(orgId);
    await officer.locator(testId('ac-year')).fill(String(YEAR));
    await officer.locator(testId('ac-scores')).fill('organisation-life=40\nrole-played=40');
    await officer.locator(`${testId('correction-form')} button[type="submit"]`).click();
    await officer.locator(testId('ac-error-reason')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await system.eventStore.headPosition()).toBe(before);
    await officer.locator(testId('ac-reason')).fill('复核发现组织生活未按期开展');
    await officer.locator(`${testId('correction-form')} button[type="submit"]`).click();
    await officer.locator(testId('org-rating'), { hasText: '复核发现组织生活未按期开展' }).waitFor({ timeout: PAGE_WAIT_MS });
    await year.locator(testId('rating-pass-rate'), { hasText: '0.0%' }).waitFor({ timeout: PAGE_WAIT_MS });
    const rated = await system.call(`/api/evaluation/orgs/${orgId}`, { headers: { 'x-min-position': String(before + 1) } });
    expect(rated.body.latest).toMatchObject({ year: YEAR, passed: false, correctionReason: '复核发现组织生活未按期开展' });
    await shoot(officer, '#evaluation', 'dashboard-ratings.png');
  });

  it('pairs an organisation with a public unit and dissolves another only with a reason', async () => {
    const unitCode = generateCreditCode(DISTRICT, 21);
    await register(unitCode, '岳麓区税务局', 2);
    await system.settled();
    const unit = await system.call('/api/orgs', { method: 'POST', json: { mode: 'building-shared', name: '区税务局党支部', district: DISTRICT, enterprises: [unitCode], publicUnit: true } });
    expect(unit.status).toBe(201);
    await system.waitForReadModels(unit.body.position);

    await officer.locator(`${testId('org-row')}[data-org-id="${orgId}"] button`).click();
    await officer.locator(testId('pr-publicUnitOrgId')).fill(unit.body.orgId);
    await officer.locator(testId('pr-publicUnitName')).fill('区税务局党支部');
    await officer.locator(`${testId('org-pair-form')} button[type="submit"]`).click();
    await officer.locator(testId('org-paired-with'), { hasText: '区税务局党支部' }).waitFor({ timeout: PAGE_WAIT_MS });

    const toDissolve = officer.locator(`${testId('org-row')}[data-org-id="${unit.body.orgId}"] button`);
    await toDissolve.waitFor({ timeout: PAGE_WAIT_MS });
    await toDissolve.click();
    await officer.locator('#org-detail-title', { hasText: '区税务局党支部' }).waitFor({ timeout: PAGE_WAIT_MS });
    const before = await system.settled();
    await officer.locator(`${testId('org-dissolve-form')} button[type="submit"]`).click();
    await officer.locator(testId('ds-error-reason')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await system.eventStore.headPosition()).toBe(before);
    await officer.locator(testId('ds-reason')).fill('单位撤并');
    await officer.locator(`${testId('org-dissolve-form')} button[type="submit"]`).click();
    await officer.locator(testId('org-dissolve-form')).waitFor({ state: 'detached', timeout: PAGE_WAIT_MS });
    const dissolved = await system.call(`/api/orgs/${unit.body.orgId}`, { headers: { 'x-min-position': String(before + 1) } });
    expect(dissolved.body).toMatchObject({ status: 'dissolved' });
  });

  it('shows a dissolution the rules left pending and says in the officer’s words why it cannot be confirmed yet', async () => {
    const code = generateCreditCode(DISTRICT, 31);
    await register(code, '岳麓异常经营有限公司', 3);
    await system.settled();
    const own = (await system.call(`/api/enterprises/${code}`)).body.orgId as string;
    expect((await system.call(`/api/enterprises/${code}/operating-status`, { method: 'POST', json: { status: 'abnormal' } })).status).toBeLessThan(300);
    await system.settled();
    const row = officer.locator(`${testId('org-row')}[data-org-id="${own}"] button`);
    await row.waitFor({ timeout: PAGE_WAIT_MS });
    await row.click();
    const notice = officer.locator(testId('org-pending-dissolution'));
    await notice.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await notice.innerText()).toContain(code);
    const before = await system.settled();
    await notice.locator('button[type="submit"]').click();
    const refusal = officer.locator(testId('org-confirm-dissolution-form-error'));
    await refusal.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await refusal.innerText()).toMatch(/宽限期/);
    expect(await system.eventStore.headPosition()).toBe(before);
  });

  it('alerts the officer over the live stream: a request past its due date, a proposal waiting, an organisation below three full members', async () => {
    // a request accepted weeks ago with a due date already past (written as the service would have then)
    const ref = { requestId: 'overdue-1', district: DISTRICT, creditCode: withoutMembers };
    const overdue: NewEvent[] = [
      { type: 'RequestSubmitted', schemaVersion: 1, occurredAt: '2026-01-05T02:00:00.000Z', data: { ...ref, category: 'land', description: '厂房用地审批', submittedBy: 'officer:officer-wang', submittedAt: '2026-01-05T02:00:00.000Z' }, metadata: { actor: 'officer:officer-wang', district: DISTRICT } },
      { type: 'RequestAccepted', schemaVersion: 1, occurredAt: '2026-01-06T02:00:00.000Z', data: { ...ref, previousStatus: 'received', owner: { kind: 'service-group', id: 'sg-yuelu', name: '岳麓区企业服务组' }, dueDate: '2026-01-20' }, metadata: { actor: 'officer:officer-wang', district: DISTRICT } },
    ];
    await system.eventStore.append(serviceRequestStreamId('overdue-1'), overdue, { expected: 'no_stream' });
    await officer.locator(`${testId('notification')}[data-kind="overdue"]`).waitFor({ state: 'attached', timeout: PAGE_WAIT_MS });
    await officer.locator(testId('requests-overdue'), { hasText: '1' }).waitFor({ timeout: PAGE_WAIT_MS });
    await officer.locator(`${testId('request-row')}[data-request-id="overdue-1"] ${testId('request-overdue')}`).waitFor({ timeout: PAGE_WAIT_MS });

    const colleague = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'officer-liu', role: 'officer', districts: [DISTRICT] } })).body.token;
    const proposed = await system.call('/api/org-proposals', { method: 'POST', token: colleague, json: { mode: 'industry-chain-joint', name: '提醒测试产业链党委', district: DISTRICT, enterprises: [], level: 'primary-committee' } });
    expect(proposed.status).toBe(201);
    await officer.locator(`${testId('notification')}[data-kind="proposals"]`).waitFor({ state: 'attached', timeout: PAGE_WAIT_MS });

    const small: NewEvent = {
      type: 'OrgFormed',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      data: { orgId: 'alert-joint', district: DISTRICT, automatic: true, name: '提醒测试联合党支部', mode: 'joint', level: 'branch', committeeSize: 0, enterprises: [{ creditCode: generateCreditCode(DISTRICT, 91), fullMembers: 2, probationaryMembers: 0 }], fullMembers: 2, probationaryMembers: 0 },
      metadata: { actor: 'system:formation', district: DISTRICT },
    };
    await system.eventStore.append(orgStreamId('alert-joint'), [small], { expected: 'no_stream' });
    const below = officer.locator(`${testId('notification')}[data-kind="below-threshold"]`);
    await below.waitFor({ state: 'attached', timeout: PAGE_WAIT_MS });
    await officer.locator(testId('notifications-button')).click();
    await below.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await below.innerText()).toMatch(/正式党员不足3名[\s\S]*提醒测试联合党支部/);
    expect(await officer.locator(testId('notifications-count')).innerText()).toBe('3');
    expect(await officer.locator(`${testId('notification')}[data-kind="overdue"]`).innerText()).toBe('1 件服务需求已超过办结时限');
    await officer.evaluate(() => window.scrollTo(0, 0));
    await officer.waitForTimeout(600);
    // the alerts open below the header: the top of the page, not the header element alone
    expect((await officer.screenshot({ path: join(screenshotDir, 'dashboard-alerts.png'), clip: { x: 0, y: 0, width: 1280, height: 420 } })).subarray(1, 4).toString()).toBe('PNG');
    await officer.locator(testId('notifications-button')).click();
  });

  it('shows a panel’s load failure in that panel, in the reader’s words (an enterprise token on the officers’ page)', async () => {
    const page = await openPage();
    await signIn(page, '/', enterpriseToken);
    const error = page.locator(testId('panel-error-coverage'));
    await error.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await error.innerText()).toContain('无权查看');
    await page.close();
  });

  it('switches the enterprise page to English', async () => {
    await enterprise.locator(testId('lang-toggle')).click();
    await enterprise.waitForFunction(() => document.documentElement.lang === 'en', undefined, { timeout: PAGE_WAIT_MS });
    expect(await enterprise.locator(testId('app-title')).innerText()).toBe('Enterprise services');
    expect(await enterprise.locator(testId('self-request-status')).innerText()).toBe('Confirmed');
    await shoot(enterprise, 'main', 'dashboard-enterprise-en.png');
  });

  it('raised no script errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});
