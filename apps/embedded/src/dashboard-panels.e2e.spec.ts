import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCreditCode } from '@liangxin/registry-domain';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startTestSystem, type TestSystem } from './testing';

// The ledger, statistics and import panels of the officers' page in a real headless Chromium against the
// whole embedded system: the ledger found by a Chinese fragment of the name and paged, a statistics table
// shown and exported, the register sample uploaded and its report downloaded. Every figure on screen is
// checked against the API. DASHBOARD_SCREENSHOTS=docs writes the ledger's screen into docs/.
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DISTRICT = '430104';
const PAGE_WAIT_MS = 15_000;
/** more than a page (20) of enterprises whose names share a fragment */
const SURVEYORS = 23;
const SAMPLE = join(__dirname, '..', '..', '..', 'docs', 'samples', 'register-sample.csv');
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const hasChromium = existsSync(CHROMIUM);
const describeInBrowser = hasChromium ? describe : describe.skip;

const testId = (id: string) => `[data-testid="${id}"]`;

describeInBrowser(hasChromium ? 'dashboard ledger, statistics and import panels in headless Chromium (embedded system)' : `skipped: ${CHROMIUM} not installed`, () => {
  let system: TestSystem;
  let browser: Browser;
  let officer: Page;
  let officerToken: string;
  const pageErrors: string[] = [];
  const screenshotDir = process.env['DASHBOARD_SCREENSHOTS'] === 'docs' ? join(__dirname, '..', '..', '..', 'docs') : mkdtempSync(join(tmpdir(), 'liangxin-panels-'));

  beforeAll(async () => {
    system = await startTestSystem();
    let position = 0;
    for (let i = 0; i < SURVEYORS; i++) {
      const answer = await system.call('/api/enterprises', {
        method: 'POST',
        json: { creditCode: generateCreditCode(DISTRICT, 200 + i), name: `岳麓测绘${String(i + 1).padStart(2, '0')}号有限公司`, kind: 'enterprise', employees: 10 + i, fullMembers: i % 4, probationaryMembers: 0 },
      });
      expect(answer.status).toBe(201);
      position = answer.body.position;
    }
    const other = await system.call('/api/enterprises', { method: 'POST', json: { creditCode: generateCreditCode(DISTRICT, 300), name: '岳麓数据服务有限公司', kind: 'enterprise', employees: 60, fullMembers: 0, probationaryMembers: 0 } });
    expect(other.status).toBe(201);
    await system.waitForReadModels(Math.max(position, other.body.position));
    await system.settled();
    officerToken = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'officer-li', role: 'officer', districts: [DISTRICT] } })).body.token;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    officer = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    officer.on('pageerror', (error) => pageErrors.push(error.message));
    await officer.goto(system.url + '/');
    await officer.locator('#token-dialog').waitFor({ state: 'visible' });
    await officer.locator(testId('token-input')).fill(officerToken);
    await officer.locator(testId('token-save')).click();
    await officer.locator(`${testId('live-status')}[data-state="live"]`).waitFor({ timeout: PAGE_WAIT_MS });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.shutdown();
    if (process.env['DASHBOARD_SCREENSHOTS'] !== 'docs') rmSync(screenshotDir, { recursive: true, force: true });
  });
  afterEach(() => expect(pageErrors).toEqual([]));

  it('the ledger finds enterprises by a Chinese fragment of the name, shows the total and pages on', async () => {
    await officer.locator(testId('ledger-q')).fill('测绘');
    await officer.locator(testId('ledger-form')).locator('button[type="submit"]').click();
    const summary = officer.locator(testId('ledger-summary'));
    await summary.filter({ hasText: `共 ${SURVEYORS} 家` }).waitFor({ timeout: PAGE_WAIT_MS });
    const rows = officer.locator(testId('ledger-row'));
    expect(await rows.count()).toBe(20);
    expect(await summary.innerText()).toBe(`共 ${SURVEYORS} 家，已显示 20 家。`);
    const first = await rows.first().innerText();
    expect(first).toContain('岳麓测绘01号有限公司');
    expect(await officer.locator(testId('ledger-table')).innerText()).not.toContain('岳麓数据服务有限公司');

    await officer.locator(testId('ledger-more')).click();
    await summary.filter({ hasText: `已显示 ${SURVEYORS} 家` }).waitFor({ timeout: PAGE_WAIT_MS });
    expect(await rows.count()).toBe(SURVEYORS);
    expect(await officer.locator(testId('ledger-more')).isHidden()).toBe(true);
    const api = await system.call(`/api/enterprises?district=${DISTRICT}&q=${encodeURIComponent('测绘')}&limit=100`, { token: officerToken });
    expect(api.body.total).toBe(SURVEYORS);
    expect(await rows.evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset['creditCode']))).toEqual(api.body.items.map((e: { creditCode: string }) => e.creditCode));

    // the export link carries the search and answers every match as a workbook
    const href = (await officer.locator(testId('ledger-export-xlsx')).getAttribute('href')) as string;
    expect(href).toContain('format=xlsx');
    const exported = await fetch(system.url + href, { headers: { Authorization: `Bearer ${officerToken}` } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain(XLSX_TYPE);

    mkdirSync(screenshotDir, { recursive: true });
    await officer.evaluate(() => document.querySelector<HTMLElement>('.app-header')?.style.setProperty('position', 'static'));
    const png = await officer.locator('#ledger').screenshot({ path: join(screenshotDir, 'dashboard-ledger.png') });
    await officer.evaluate(() => document.querySelector<HTMLElement>('.app-header')?.style.removeProperty('position'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('a statistics table renders with its headers in the language chosen, and its xlsx export answers a spreadsheet', async () => {
    await officer.locator(testId('statistics-table-choice')).selectOption('coverage-district');
    const title = officer.locator(testId('statistics-title'));
    await title.filter({ hasText: /覆盖/ }).waitFor({ timeout: PAGE_WAIT_MS });
    const api = await system.call(`/api/statistics/coverage?by=district&district=${DISTRICT}`, { token: officerToken });
    expect(api.status).toBe(200);
    expect(await title.innerText()).toBe(api.body.title.zh);
    const headers = officer.locator(`${testId('statistics-table')} thead th`);
    expect(await headers.allInnerTexts()).toEqual(api.body.columns.map((c: { zh: string }) => c.zh));
    expect(await officer.locator(testId('statistics-row')).count()).toBe(api.body.rows.length);

    await officer.locator('#lang-toggle').click();
    await title.filter({ hasText: api.body.title.en }).waitFor({ timeout: PAGE_WAIT_MS });
    expect(await headers.allInnerTexts()).toEqual(api.body.columns.map((c: { en: string }) => c.en));
    await officer.locator('#lang-toggle').click();
    await title.filter({ hasText: api.body.title.zh }).waitFor({ timeout: PAGE_WAIT_MS });

    // as of a date before any registration: the end of that day, Beijing time, and the figures as they stood then
    const asOf = '2020-06-30T15:59:59.999Z';
    const then = await system.call(`/api/statistics/coverage?by=district&district=${DISTRICT}&asOf=${encodeURIComponent(asOf)}`, { token: officerToken });
    expect(then.status).toBe(200);
    await officer.locator(testId('statistics-as-of-date')).fill('2020-06-30');
    await officer.locator(testId('statistics-form')).locator('button[type="submit"]').click();
    await officer.locator(testId('statistics-as-of')).filter({ hasText: '2020' }).waitFor({ timeout: PAGE_WAIT_MS });
    const cellsOf = (rows: Array<Record<string, unknown>>) => rows.map((row) => then.body.columns.map((c: { key: string; kind?: string }) => (c.kind === 'count' && typeof row[c.key] === 'number' ? String(row[c.key]) : null)));
    const shown = await officer.locator(testId('statistics-row')).evaluateAll((rows, columns) => rows.map((row) => [...row.querySelectorAll('td')].map((td, i) => (columns[i].kind === 'count' ? (td.textContent ?? '').replace(/,/g, '') : null))), then.body.columns as Array<{ kind?: string }>);
    expect(shown).toEqual(cellsOf(then.body.rows));
    expect(JSON.stringify(then.body.rows)).not.toEqual(JSON.stringify(api.body.rows));
    const href = (await officer.locator(testId('statistics-export-xlsx')).getAttribute('href')) as string;
    expect(href).toMatch(/^\/api\/statistics\/coverage\?.*by=district.*asOf=2020-06-30T15%3A59%3A59.999Z.*format=xlsx/);
    const exported = await fetch(system.url + href, { headers: { Authorization: `Bearer ${officerToken}` } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain(XLSX_TYPE);
    const print = await fetch(system.url + ((await officer.locator(testId('statistics-export-html')).getAttribute('href')) as string), { headers: { Authorization: `Bearer ${officerToken}` } });
    expect(print.status).toBe(200);
    expect(print.headers.get('content-type')).toContain('text/html');
  });

  it('uploading the register sample shows the job counts, and its report downloads as a workbook', async () => {
    const sampleRows = readFileSync(SAMPLE, 'utf8').trim().split('\n').length - 1;
    await officer.locator(testId('import-file')).setInputFiles(SAMPLE);
    await officer.locator(testId('import-submit')).click();
    await officer.locator(`${testId('import-status')}`).filter({ hasText: '导入完成' }).waitFor({ timeout: 60_000 });
    const counts = Object.fromEntries(
      await Promise.all((['registered', 'updated', 'unchanged', 'refused'] as const).map(async (outcome) => [outcome, Number(await officer.locator(testId(`import-count-${outcome}`)).innerText())])),
    );
    expect(counts).toEqual({ registered: sampleRows, updated: 0, unchanged: 0, refused: 0 });
    expect(await officer.locator(testId('import-refused-row')).count()).toBe(0);

    const [download] = await Promise.all([officer.waitForEvent('download'), officer.locator(testId('import-report')).click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = readFileSync((await download.path()) as string);
    expect(file.subarray(0, 2).toString()).toBe('PK');

    // the enterprises imported are in the ledger
    const ledger = await system.call(`/api/enterprises?district=${DISTRICT}&q=${encodeURIComponent('430104科技1号')}`, { token: officerToken, headers: { 'x-min-position': String(await system.settled()) } });
    expect(ledger.body.total).toBe(1);
  });

  it('a row the registry refuses is listed with its column and reason', async () => {
    const good = generateCreditCode(DISTRICT, 400);
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const csv = `统一社会信用代码,企业名称,从业人员,正式党员,预备党员\n${wrongCheck},岳麓错码有限公司,5,0,0\n${generateCreditCode(DISTRICT, 401)},岳麓新登有限公司,8,1,0\n`;
    await officer.locator(testId('import-file')).setInputFiles({ name: 'one-wrong.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await officer.locator(testId('import-submit')).click();
    await officer.locator(testId('import-status')).filter({ hasText: 'one-wrong.csv 导入完成' }).waitFor({ timeout: 60_000 });
    expect(await officer.locator(testId('import-count-registered')).innerText()).toBe('1');
    expect(await officer.locator(testId('import-count-refused')).innerText()).toBe('1');
    const refused = officer.locator(testId('import-refused-row'));
    expect(await refused.count()).toBe(1);
    expect(await refused.innerText()).toMatch(new RegExp(`^2\\s+${wrongCheck}\\s+统一社会信用代码\\s+\\S`));
  });

  it('an upload the gateway refuses (a file without the required columns) is said in the panel', async () => {
    await officer.locator(testId('import-file')).setInputFiles({ name: 'wrong.csv', mimeType: 'text/csv', buffer: Buffer.from('名称\n某公司\n', 'utf8') });
    await officer.locator(testId('import-submit')).click();
    const problem = officer.locator(testId('import-problem'));
    await problem.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
    expect((await problem.innerText()).length).toBeGreaterThan(0);
  });
});
