import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCreditCode } from '@liangxin/registry-domain';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type NewEvent, orgStreamId } from '@liangxin/contracts';
import { startTestSystem, type TestSystem } from './testing';

// The officers' dashboard in a real headless Chromium against the whole embedded system: sign in with a
// token, register through the page's form, and watch the coverage figures move with the live stream.
// Screenshots go to a temporary folder; DASHBOARD_SCREENSHOTS=docs writes docs/dashboard.png and
// docs/dashboard-en.png instead (kept in the repository for the README), so a plain test run leaves
// the working tree clean.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DISTRICT = '430104';
/** how long the page may take to show what the server already has (live refresh runs at most every 2 s) */
const PAGE_WAIT_MS = 15_000;

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard e2e skipped: ${CHROMIUM} not installed (apt-get install -y chromium)`);
const describeInBrowser = hasChromium ? describe : describe.skip;

const testId = (id: string) => `[data-testid="${id}"]`;
const textOf = (page: Page, id: string) => page.locator(testId(id)).innerText();
/** waits until the element's text is exactly `text` (the page refreshes on its own) */
const waitForText = (page: Page, id: string, text: string) =>
  page.waitForFunction(([selector, expected]) => document.querySelector(selector)?.textContent?.trim() === expected, [testId(id), text] as const, { timeout: PAGE_WAIT_MS });
/** a full-page PNG from the top (the header is sticky) once the charts' animations have settled */
const screenshot = async (page: Page, file: string) => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(1_200);
  await page.screenshot({ path: file, fullPage: true });
  return readFileSync(file);
};

describeInBrowser(hasChromium ? 'dashboard in headless Chromium (embedded system)' : `skipped: ${CHROMIUM} not installed`, () => {
  let system: TestSystem;
  let browser: Browser;
  let page: Page;
  const screenshotDir = process.env['DASHBOARD_SCREENSHOTS'] === 'docs' ? join(__dirname, '..', '..', '..', 'docs') : mkdtempSync(join(tmpdir(), 'liangxin-dashboard-'));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    system = await startTestSystem();
    // One enterprise without members already in the district, so the page has a figure to change.
    const seeded = await system.call('/api/enterprises', {
      method: 'POST',
      json: { creditCode: generateCreditCode(DISTRICT, 1), name: '岳麓示例科技有限公司', kind: 'enterprise', employees: 12, fullMembers: 0, probationaryMembers: 0 },
    });
    await system.waitForReadModels(seeded.body.position);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    // The browser first: its open live stream would otherwise hold the gateway's close.
    await browser?.close();
    await system?.shutdown();
    if (process.env['DASHBOARD_SCREENSHOTS'] !== 'docs') rmSync(screenshotDir, { recursive: true, force: true });
  });

  it('asks for a token, then shows the district coverage from the API', async () => {
    await page.goto(system.url + '/');
    await page.locator('#token-dialog').waitFor({ state: 'visible' });
    await page.locator(testId('token-input')).fill(system.adminToken);
    await page.locator(testId('token-save')).click();
    await waitForText(page, 'coverage-enterprises', '1');
    expect(await textOf(page, 'coverage-with-members')).toBe('0');
    expect(await page.locator(testId('district-select')).inputValue()).toBe(DISTRICT);
    await page.locator(`${testId('live-status')}[data-state="live"]`).waitFor({ timeout: PAGE_WAIT_MS });
  });

  it('registers an enterprise through the form, and the coverage figures change', async () => {
    const code = generateCreditCode(DISTRICT, 2);
    await page.locator(testId('reg-creditCode')).fill(code);
    await page.locator(testId('reg-name')).fill('长沙智造装备有限公司');
    await page.locator(testId('reg-employees')).fill('80');
    await page.locator(testId('reg-fullMembers')).fill('4');
    await page.locator(testId('reg-probationaryMembers')).fill('1');
    await page.locator(testId('reg-industryChain')).fill('engineering-machinery');
    await page.locator(testId('register-submit')).click();
    await page.locator(testId('register-result')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    const registered = await page.locator(`${testId('register-result')} .success-text`).innerText();
    expect(registered).toContain(code);
    // the registration's answer already says what it caused (a settled read): 4 full members, a standalone branch
    expect(registered).toContain('单独组建：党组织已批复');

    await waitForText(page, 'coverage-enterprises', '2');
    expect(await textOf(page, 'coverage-with-members')).toBe('1');
    // The server agrees with what the page shows.
    const coverage = await system.call(`/api/coverage?district=${DISTRICT}`);
    expect(coverage.body).toMatchObject({ enterprises: 2, withMembers: 1 });
    const enterprise = await system.call(`/api/enterprises/${code}`);
    expect(enterprise.body).toMatchObject({ name: '长沙智造装备有限公司', fullMembers: 4, employees: 80 });

    mkdirSync(screenshotDir, { recursive: true });
    const file = join(screenshotDir, 'dashboard.png');
    expect((await screenshot(page, file)).subarray(1, 4).toString()).toBe('PNG');
  });

  it('switches to English with the toggle, keeping the figures', async () => {
    await page.locator(testId('lang-toggle')).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en', undefined, { timeout: PAGE_WAIT_MS });
    expect(await textOf(page, 'app-title')).toMatch(/[A-Za-z]/);
    expect(await textOf(page, 'app-title')).not.toMatch(/[\u4e00-\u9fff]/);
    expect(await textOf(page, 'coverage-enterprises')).toBe('2');
    const file = join(screenshotDir, 'dashboard-en.png');
    expect((await screenshot(page, file)).subarray(1, 4).toString()).toBe('PNG');
  });

  it('lists the coverage worklist: the enterprise without members, with nobody assigned, needs an assignee', async () => {
    const code = generateCreditCode(DISTRICT, 1);
    const row = page.locator(`${testId('worklist-row')}[data-credit-code="${code}"]`);
    await row.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await row.getAttribute('data-reason')).toBe('needs-assignee');
    expect(await row.innerText()).toContain('Needs an instructor or liaison cadre');
    expect(await textOf(page, 'worklist-summary')).toMatch(/^1 to do/);
    // the standalone branch registered above is covered: not on the list
    expect(await page.locator(`${testId('worklist-row')}[data-credit-code="${generateCreditCode(DISTRICT, 2)}"]`).count()).toBe(0);
    await page.locator(testId('worklist-reason')).selectOption('needs-organisation');
    await waitForText(page, 'worklist-summary', 'Nothing to do in this district.');
    await page.locator(testId('worklist-reason')).selectOption('');
    await row.waitFor({ timeout: PAGE_WAIT_MS });
  });

  it('counts the district\'s service requests by status as they come in', async () => {
    expect(await textOf(page, 'requests-received')).toBe('0');
    const submitted = await system.call('/api/requests', { method: 'POST', json: { creditCode: generateCreditCode(DISTRICT, 1), category: 'financing', description: '设备贷款' } });
    expect(submitted.status).toBe(201);
    await waitForText(page, 'requests-received', '1');
    expect(await textOf(page, 'requests-overdue')).toBe('0');
    expect(await textOf(page, 'requests-summary')).toMatch(/1/);
  });

  it('shows the tree under an organisation, with the totals of those beneath it', async () => {
    // the enterprise registered above (4 + 1 members) formed its own branch; a branch is put under it
    const orgs = await system.call(`/api/orgs?district=${DISTRICT}`);
    const parent = orgs.body.items[0] as { id: string };
    const child: NewEvent = {
      type: 'OrgFormed',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      data: {
        orgId: 'dashboard-child',
        district: DISTRICT,
        automatic: true,
        name: '下属示例党支部',
        mode: 'joint',
        level: 'branch',
        committeeSize: 0,
        enterprises: [{ creditCode: generateCreditCode(DISTRICT, 90), fullMembers: 3, probationaryMembers: 0 }],
        fullMembers: 3,
        probationaryMembers: 0,
        parentOrgId: parent.id,
      },
      metadata: { actor: 'system:formation', district: DISTRICT },
    };
    const appended = await system.eventStore.append(orgStreamId('dashboard-child'), [child], { expected: 'no_stream' });
    await system.waitForReadModels(appended.lastPosition);
    const row = page.locator(`${testId('org-row')}[data-org-id="${parent.id}"] button`);
    await row.waitFor({ timeout: PAGE_WAIT_MS });
    await row.click();
    const tree = page.locator(testId('org-tree'));
    await tree.locator('[data-org="dashboard-child"]').waitFor({ timeout: PAGE_WAIT_MS });
    expect(await tree.innerText()).toContain('下属示例党支部');
    expect((await tree.locator(`[data-org="${parent.id}"] > .tree-totals`).innerText()).trim()).toMatch(/^2 organisations · 8 members · 2 enterprises/);
  });

  it('places an organisation from its page: a cycle is refused in the officer’s words with nothing appended, detaching works', async () => {
    const form = page.locator(testId('org-parent-form'));
    const before = await system.settled();
    await page.locator(testId('op-parentOrgId')).fill('dashboard-child');
    await page.locator(testId('op-reason')).fill('调整隶属关系');
    await form.locator('button[type="submit"]').click();
    const refusal = page.locator(testId('op-form-error'));
    await refusal.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await refusal.innerText()).toMatch(/would make a cycle|循环隶属/);
    expect(await system.eventStore.headPosition()).toBe(before);

    await page.locator(`${testId('org-tree')} [data-org="dashboard-child"] button`).first().click();
    await page.locator('#org-detail-title', { hasText: '下属示例党支部' }).waitFor({ timeout: PAGE_WAIT_MS });
    await page.locator(testId('op-reason')).fill('脱离原上级组织');
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#org-parent-form input[name="reason"]')?.value === '', undefined, { timeout: PAGE_WAIT_MS });
    expect(await refusal.isHidden()).toBe(true);
    expect((await system.call('/api/orgs/dashboard-child', { headers: { 'x-min-position': String(before + 1) } })).body).toMatchObject({ parentOrgId: null });
  });

  it('lists a proposal awaiting approval, asks for a reason to reject it, and approves it: the organisation is formed', async () => {
    const issue = await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'dashboard-li', role: 'officer', districts: [DISTRICT] } });
    const proposal = { mode: 'industry-chain-joint', name: '仪表盘产业链党委', district: DISTRICT, enterprises: [], level: 'primary-committee' };
    const proposed = await system.call('/api/org-proposals', { method: 'POST', token: issue.body.token, json: proposal });
    expect(proposed.status).toBe(201);
    const orgId = proposed.body.orgId as string;
    // the page hears of the new event (live refresh) and lists the proposal
    const row = page.locator(`${testId('proposal-row')}[data-org-id="${orgId}"]`);
    await row.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await row.innerText()).toContain('仪表盘产业链党委');

    const before = await system.settled();
    await row.locator(testId('proposal-reject')).click();
    const error = page.locator(testId('proposals-error'));
    await error.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await error.innerText()).toMatch(/reason|理由/);
    expect(await system.eventStore.headPosition()).toBe(before);

    await row.locator(testId('proposal-approve')).click();
    await row.waitFor({ state: 'detached', timeout: PAGE_WAIT_MS });
    expect(await error.isHidden()).toBe(true);
    const org = await system.call(`/api/orgs/${orgId}`, { headers: { 'x-min-position': String(before + 1) } });
    expect(org.body).toMatchObject({ name: '仪表盘产业链党委', status: 'active' });
  });

  it('proposes an organisation from the dashboard: a branch without enterprises is refused at that field, a committee is listed for approval', async () => {
    const form = page.locator(testId('proposal-form'));
    const before = await system.settled();
    await page.locator(testId('pp-name')).fill('空的党支部');
    await page.locator(testId('pp-mode')).selectOption('building-shared');
    await form.locator('button[type="submit"]').click();
    const enterprisesError = page.locator(testId('pp-error-enterprises'));
    await enterprisesError.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await enterprisesError.innerText()).toMatch(/enterprises of its own|所属企业/);
    expect(await system.eventStore.headPosition()).toBe(before);

    await page.locator(testId('pp-name')).fill('仪表盘申请的产业链党委');
    await page.locator(testId('pp-mode')).selectOption('industry-chain-joint');
    await page.locator(testId('pp-level')).selectOption('primary-committee');
    await page.locator(testId('pp-note')).fill('链上企业集聚');
    await form.locator('button[type="submit"]').click();
    await page.locator(testId('proposal-row'), { hasText: '仪表盘申请的产业链党委' }).waitFor({ timeout: PAGE_WAIT_MS });
    const listed = await system.call(`/api/org-proposals?district=${DISTRICT}&status=pending`, { headers: { 'x-min-position': String(before + 1) } });
    expect(listed.body.items).toEqual([expect.objectContaining({ name: '仪表盘申请的产业链党委', level: 'primary-committee', note: '链上企业集聚', status: 'pending' })]);
  });

  it('looks up an instructor, shows the enterprises they cover, records a year’s review, refuses a second one in the officer’s words and corrects it with a reason', async () => {
    const code = generateCreditCode(DISTRICT, 95);
    expect((await system.call('/api/enterprises', { method: 'POST', json: { creditCode: code, name: '仪表盘挂点企业', kind: 'enterprise', employees: 5, fullMembers: 0, probationaryMembers: 0 } })).status).toBe(201);
    await system.settled();
    const assigned = await system.call(`/api/enterprises/${code}/work-coverage`, { method: 'PUT', json: { coveredBy: 'liaison', assignee: { personId: 'p-dash', name: '仪表盘挂点干部' } } });
    expect(assigned.status).toBe(200);
    await system.waitForReadModels(assigned.body.position);

    await page.locator(testId('instructor-id')).fill('p-dash');
    await page.locator(`${testId('instructor-lookup-form')} button[type="submit"]`).click();
    const caseload = page.locator(testId('instructor-caseload'));
    await caseload.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await caseload.innerText()).toMatch(/ 1 /);

    const form = page.locator(testId('instructor-review-form'));
    await page.locator(testId('ir-name')).fill('仪表盘挂点干部');
    await page.locator(testId('ir-year')).fill('2025');
    await page.locator(testId('ir-rating')).selectOption('competent');
    await form.locator('button[type="submit"]').click();
    const review = page.locator(`${testId('instructor-review')}[data-year="2025"]`);
    await review.waitFor({ timeout: PAGE_WAIT_MS });
    expect(await review.innerText()).toMatch(/Competent|称职/);

    const before = await system.settled();
    await page.locator(testId('ir-year')).fill('2025');
    await form.locator('button[type="submit"]').click();
    const refusal = page.locator(testId('ir-form-error'));
    await refusal.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await refusal.innerText()).toMatch(/reviewed already|已有考评/);
    expect(await system.eventStore.headPosition()).toBe(before);

    // the year's grade is changed by a correction with a reason; the first grade stays in the history
    const correction = page.locator(testId('instructor-correction-form'));
    await page.locator(testId('ic-year')).fill('2025');
    await page.locator(testId('ic-rating')).selectOption('excellent');
    await correction.locator('button[type="submit"]').click();
    await page.locator(testId('ic-error-reason')).waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect(await system.eventStore.headPosition()).toBe(before);
    await page.locator(testId('ic-reason')).fill('复核后上调');
    await correction.locator('button[type="submit"]').click();
    await review.filter({ hasText: '复核后上调' }).waitFor({ timeout: PAGE_WAIT_MS });
    expect(await review.innerText()).toMatch(/(Excellent|优秀)[\s\S]*(Competent|称职)[\s\S]*复核后上调/);
    const corrected = await system.call('/api/instructors/p-dash/reviews', { headers: { 'x-min-position': String(before + 1) } });
    expect(corrected.body.reviews).toEqual([expect.objectContaining({ year: 2025, rating: 'excellent', corrections: [expect.objectContaining({ previousRating: 'competent', reason: '复核后上调' })] })]);
  });

  it('raised no script errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
