import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CREDIT_CODE_ALPHABET, creditCodeCheckCharacter, creditCodeProblem } from '@liangxin/contracts';
import fc from 'fast-check';
import { dashboardAssetsDir, dashboardIndexFile, echartsDistFile, ECHARTS_URL_PATH } from './dashboard-assets';

const read = (file: string) => readFileSync(join(dashboardAssetsDir, file), 'utf8');
/** every file under public/, as paths relative to it */
const assetFiles = (dir = ''): string[] =>
  readdirSync(join(dashboardAssetsDir, dir), { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? assetFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
const modules = assetFiles().filter((file) => file.endsWith('.js'));
const html = read('index.html');
const selfServiceHtml = read('enterprise.html');
/** the officers' page: its entry module, the panels and the helpers they share */
const officerModules = ['app.js', 'dom.js', 'live.js', ...modules.filter((file) => file.startsWith('panels'))];
const appSource = officerModules.map(read).join('\n');
const allSource = modules.map(read).join('\n');
const messages = JSON.parse(read('i18n.json')) as Record<'zh' | 'en', Record<string, string>>;

/** The helpers lib.js exports, as the tests call them. */
interface DashboardLib {
  checkCreditCode(raw: unknown): { ok: boolean; reason?: string; district?: string; expected?: string };
  monthlySamples(now: Date, count: number): Array<{ label: string; asOf: string }>;
  createEventStreamParser(onEvent: (event: unknown) => void): { push(chunk: string): void };
  createTranslator(messages: object, lang: string): ((key: string, params?: object) => string) & { label(group: string, value: unknown): string };
  groupFieldErrors(details: unknown): Map<string, string[]>;
  formatRate(rate: unknown, lang: string): string;
  registrationPayload(values: Record<string, string>): Record<string, unknown>;
  pendingDissolution(audit: unknown): { creditCode: string | null; confirmableFrom: string | null } | null;
  isBelowThreshold(org: unknown): boolean;
  notificationsOf(figures: { overdue: number; pendingProposals: number; belowThreshold: unknown[] }, previous: unknown): { items: Array<{ kind: string; count: number }>; fresh: string[] };
  parseScores(text: string): { scores: Record<string, number>; problems: string[] };
  yuanToFen(text: string): number;
  checkRegistration(payload: Record<string, unknown>): Array<{ field: string; reason: string }>;
}

/**
 * lib.js is a browser ES module; jest runs CommonJS, so a plain Node process imports
 * it (from a data: URL, which is always a module) and hands back JSON.
 */
function inBrowserModule<T, A = undefined>(body: (lib: DashboardLib, argument: A) => unknown, argument?: A): T {
  const source = Buffer.from(read('lib.js')).toString('base64');
  const script =
    `const lib = await import('data:text/javascript;base64,${source}');\n` +
    `process.stdout.write(JSON.stringify(await (${body.toString()})(lib, ${JSON.stringify(argument ?? null)})));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as T;
}

describe('dashboard assets served by the gateway', () => {
  it('points at a folder holding the page, its script, styles and strings', () => {
    for (const file of ['index.html', 'enterprise.html', 'app.js', 'self-service.js', 'lib.js', 'store.js', 'api.js', 'dom.js', 'paging.js', 'live.js', 'styles.css', 'i18n.json']) {
      expect(existsSync(join(dashboardAssetsDir, file))).toBe(true);
    }
    expect(dashboardIndexFile).toBe(join(dashboardAssetsDir, 'index.html'));
  });

  it('serves ECharts from the installed package at the URL the page loads', () => {
    expect(echartsDistFile).toMatch(/echarts[\\/]dist[\\/]echarts\.min\.js$/);
    expect(readFileSync(echartsDistFile, 'utf8').length).toBeGreaterThan(100_000);
    expect(html).toContain(`<script src="${ECHARTS_URL_PATH}" defer></script>`);
  });

  it('fetches nothing from outside the machine', () => {
    for (const file of assetFiles()) {
      expect({ file, external: read(file).match(/(?:https?:)?\/\/[\w-]+(?:\.[\w-]+)+/gi) }).toEqual({ file, external: null });
    }
  });

  it('has the stable hooks a browser test relies on', () => {
    for (const hook of ['id="register-form"', 'data-testid="coverage-org-rate"', 'data-testid="coverage-overall-rate"', 'data-testid="lang-toggle"', 'id="token-input"', 'data-testid="auth-message"', 'data-testid="live-status"', 'id="lookup-form"', 'data-testid="enterprise-coverage"', 'data-testid="enterprise-audit"', 'data-testid="error-creditCode"', 'data-testid="requests-kpis"']) {
      expect(html).toContain(hook);
    }
  });

  it('only looks up elements that exist in its page (officers: index.html; enterprises: enterprise.html)', () => {
    const missing = (page: string, source: string) => {
      const ids = new Set([...page.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
      const wanted = [...source.matchAll(/\$\('#([\w-]+)/g)].map((m) => m[1]);
      expect(wanted.length).toBeGreaterThan(10);
      return wanted.filter((id) => !ids.has(id));
    };
    expect(missing(html, appSource)).toEqual([]);
    expect(missing(selfServiceHtml, ['self-service.js', 'dom.js', 'live.js'].map(read).join('\n'))).toEqual([]);
  });

  it('is native ES modules, each type-checked (// @ts-check with JSDoc), and tsc finds nothing wrong', () => {
    expect(modules.length).toBeGreaterThan(15);
    expect(modules.filter((file) => !read(file).startsWith('// @ts-check'))).toEqual([]);
    expect(html).toContain('<script type="module" src="app.js"></script>');
    expect(selfServiceHtml).toContain('<script type="module" src="self-service.js"></script>');
    const tsc = require.resolve('typescript/bin/tsc');
    const project = join(__dirname, '..', '..', 'tsconfig.dashboard.json');
    expect(() => execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });

  it('keeps one panel per module, each reporting its own load failure in its section', () => {
    const panels = modules.filter((file) => file.startsWith('panels'));
    expect(panels.length).toBeGreaterThanOrEqual(10);
    const app = read('app.js');
    for (const file of panels) {
      const source = read(file);
      const id = source.match(/Panel = \{\s*id: '([\w-]+)'/)?.[1];
      expect({ file, id }).toEqual({ file, id: expect.any(String) });
      expect({ file, section: html.includes(`id="${id}"`) }).toEqual({ file, section: true });
      expect(app).toContain(`./${file.replace(/\\/g, '/')}`);
    }
    // every load goes through loadInto, which shows the failure in the panel's section
    expect(app).toMatch(/loadInto\(p\.id/);
  });

  it('gives every registration field a slot for the server error of that field', () => {
    const fields = [...html.matchAll(/<(?:input|select) id="reg-(\w+)"/g)].map((m) => m[1]);
    expect(fields).toEqual(expect.arrayContaining(['creditCode', 'name', 'kind', 'employees', 'fullMembers', 'probationaryMembers', 'industryChain', 'park', 'building', 'ownership']));
    for (const field of fields) {
      expect(html).toContain(`name="${field}"`);
      expect(html).toContain(`id="err-${field}"`);
    }
  });
});

describe('dashboard strings (one table, Chinese and English)', () => {
  it('has the same keys in both languages, none left blank', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.zh).sort());
    for (const lang of ['zh', 'en'] as const) {
      expect(Object.entries(messages[lang]).filter(([, text]) => text.trim() === '')).toEqual([]);
    }
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = Object.keys(messages.zh).filter((key) => placeholders(messages.zh[key]).join() !== placeholders(messages.en[key]).join());
    expect(mismatched).toEqual([]);
  });

  it('defines every key the pages and the scripts ask for', () => {
    const fromHtml = [...(html + selfServiceHtml).matchAll(/data-i18n(?:-[\w-]+)?="([^"]+)"/g)].map((m) => m[1]);
    const fromScript = [
      ...[...allSource.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1]),
      // form specs name their labels, legends, buttons and hints by key
      ...[...allSource.matchAll(/\b(?:label|legend|submit|hint|placeholder): '([\w-]+\.[\w.-]+)'/g)].map((m) => m[1]),
      // reasons the page itself finds are said through reason.<code>
      ...[...allSource.matchAll(/reason: '([\w-]+)' \}/g)].map((m) => `reason.${m[1]}`),
    ].filter((key) => key !== 'coverage.kind.work'); // lib.js's doc comment
    const missing = [...fromHtml, ...fromScript].filter((key) => !(key in messages.zh));
    expect(fromHtml.length + fromScript.length).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('labels every fact, metadata field and live state the script composes keys for', () => {
    const listed = (name: string) => {
      const list = appSource.match(new RegExp(`const ${name} = \\[([^\\]]+)\\]`));
      return [...(list?.[1] ?? '').matchAll(/'([\w-]+)'/g)].map((m) => m[1]);
    };
    const keys = [
      ...listed('ORG_FACTS').map((k) => `org.${k}`),
      ...listed('METADATA_SHOWN').map((k) => `meta.${k}`),
      ...['offline', 'connecting', 'live', 'reconnecting'].map((k) => `live.${k}`),
      ...['active', 'dissolved'].map((k) => `orgStatus.${k}`),
      ...listed('REQUEST_STATUSES').map((k) => `requestStatus.${k}`),
      ...listed('WORKLIST_REASONS').map((k) => `worklistReason.${k}`),
      ...listed('REQUEST_CATEGORIES').map((k) => `requestCategory.${k}`),
      ...listed('SUBSIDY_ITEMS').map((k) => `subsidyItem.${k}`),
      ...['overdue', 'proposals', 'below-threshold'].map((k) => `notify.${k}`),
      ...['secretary', 'instructor'].flatMap((k) => [`person.assign.${k}`, `person.replace.${k}`]),
    ];
    expect(keys.length).toBeGreaterThan(16);
    expect(keys.filter((key) => !(key in messages.zh))).toEqual([]);
  });

  it('has the title officers expect in each language', () => {
    expect(messages.zh['app.title']).toBe('两新组织党建覆盖');
    expect(messages.en['app.title']).toBe('Two-New Party Coverage');
    expect(html).toMatch(/<html lang="zh-CN">/);
  });

  it('explains a wrong check character in words an officer understands', () => {
    expect(messages.zh['reason.bad-check-character']).toBe('统一社会信用代码校验位不正确');
  });
});

describe('dashboard helpers (lib.js, run as a browser module)', () => {
  it('checks unified social credit codes as GB 32100 does', () => {
    const results = inBrowserModule<Array<{ ok: boolean; reason?: string; district?: string; expected?: string }>>((lib) =>
      ['91350100M000100Y43', ' 91350100m000100y43 ', '91350100M000100Y44', '91350100M000100Y4', '91350100M000100I43', '91ABCDEFM000100Y43', ''].map(lib.checkCreditCode),
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false, false, false, false]);
    expect(results[0].district).toBe('350100');
    expect(results[2]).toMatchObject({ reason: 'bad-check-character', expected: '3' });
    expect(results.slice(3).map((r) => r.reason)).toEqual(['wrong-length', 'bad-character', 'bad-division', 'required']);
  });

  it('diagnoses credit codes exactly as the server-side contract does, with the same reason codes', () => {
    const chars = `${CREDIT_CODE_ALPHABET}IOSVZ`;
    const codes = fc.sample(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...chars), minLength: 17, maxLength: 19 }),
        fc.string({ unit: fc.constantFrom(...CREDIT_CODE_ALPHABET), minLength: 17, maxLength: 17 }).map((first17) => first17 + (creditCodeCheckCharacter(first17) ?? '0')),
        fc.stringMatching(/^[0-9]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$/),
      ),
      { numRuns: 600, seed: 20250101 },
    );
    const browser = inBrowserModule<Array<string | null>, string[]>((lib, all) => all.map((code) => lib.checkCreditCode(code).reason ?? null), codes);
    const server = codes.map((code) => creditCodeProblem(code) ?? null);
    expect(browser).toEqual(server);
    expect(new Set(server).size).toBeGreaterThanOrEqual(4);
  });

  it('samples a coverage trend at the end of each of the last 11 months, then now', () => {
    const samples = inBrowserModule<Array<{ label: string; asOf: string }>>((lib) => lib.monthlySamples(new Date('2025-03-15T10:00:00.000Z'), 12));
    expect(samples).toHaveLength(12);
    expect(samples[0]).toEqual({ label: '2024-04', asOf: '2024-04-30T23:59:59.999Z' });
    expect(samples[10]).toEqual({ label: '2025-02', asOf: '2025-02-28T23:59:59.999Z' });
    expect(samples[11]).toEqual({ label: '2025-03', asOf: '2025-03-15T10:00:00.000Z' });
  });

  it('parses server-sent events split anywhere across chunks', () => {
    const events = inBrowserModule<Array<{ event: string; data: string }>>((lib) => {
      const seen: unknown[] = [];
      const parser = lib.createEventStreamParser((e: unknown) => seen.push(e));
      for (const chunk of [': keep-alive\n\nevent: proj', 'ection\ndata: {"position":7,', '"projection":"coverage"}\n', '\r\ndata: a\ndata: b\n\nevent: projection\n']) parser.push(chunk);
      return seen;
    });
    expect(events).toEqual([
      { event: 'projection', data: '{"position":7,"projection":"coverage"}', id: '' },
      { event: 'message', data: 'a\nb', id: '' },
    ]);
  });

  it('translates with placeholders and falls back to Chinese, then to the raw value', () => {
    const out = inBrowserModule<string[]>((lib) => {
      const t = lib.createTranslator({ zh: { greet: '你好 {name}', 'mode.joint': '联合组建', onlyZh: '仅中文' }, en: { greet: 'Hello {name}' } }, 'en');
      return [t('greet', { name: 'Li' }), t('onlyZh'), t('missing.key'), t.label('mode', 'joint'), t.label('mode', 'newly-invented'), t.label('mode', null)];
    });
    expect(out).toEqual(['Hello Li', '仅中文', 'missing.key', '联合组建', 'newly-invented', '—']);
  });

  it('groups the server\'s field errors and formats rates per language', () => {
    const out = inBrowserModule<{ grouped: Array<[string, string[]]>; zh: string; en: string; none: string }>((lib) => ({
      grouped: [...lib.groupFieldErrors([{ field: 'name', reason: 'required' }, { field: 'name', reason: 'too-long' }, { field: 'employees', reason: 'x' }])],
      zh: lib.formatRate(0.775, 'zh'),
      en: lib.formatRate(0.8, 'en'),
      none: lib.formatRate(undefined, 'zh'),
    }));
    expect(out.grouped).toEqual([['name', ['required', 'too-long']], ['employees', ['x']]]);
    expect(out.zh).toBe('77.5%');
    expect(out.en).toBe('80.0%');
    expect(out.none).toBe('—');
  });

  it('builds the registration body the API expects and hints at what the server will refuse', () => {
    const out = inBrowserModule<{ payload: Record<string, unknown>; problems: unknown[]; good: unknown[] }>((lib) => {
      const form = { creditCode: ' 91350100m000100y44 ', name: ' ', kind: 'enterprise', employees: '12', fullMembers: '', probationaryMembers: '-1', industryChain: ' ', park: '星沙园区' };
      const payload = lib.registrationPayload(form);
      const good = lib.checkRegistration(lib.registrationPayload({ ...form, creditCode: '91350100M000100Y43', name: '星沙智造', fullMembers: '3', probationaryMembers: '0' }));
      return { payload: { ...payload, fullMembers: String(payload.fullMembers) }, problems: lib.checkRegistration(payload), good };
    });
    expect(out.payload).toEqual({ creditCode: '91350100M000100Y44', name: '', kind: 'enterprise', employees: 12, fullMembers: 'NaN', probationaryMembers: -1, park: '星沙园区' });
    expect(out.problems).toEqual([
      { field: 'creditCode', reason: 'bad-check-character' },
      { field: 'name', reason: 'required' },
      { field: 'fullMembers', reason: 'not-a-non-negative-integer' },
      { field: 'probationaryMembers', reason: 'not-a-non-negative-integer' },
    ]);
    expect(out.good).toEqual([]);
  });
});

describe('dashboard workflow helpers (lib.js)', () => {
  it('finds the dissolution left pending in an organisation\'s history, and only while nothing settled it', () => {
    const out = inBrowserModule<unknown[]>((lib) => {
      const pending = { type: 'OrgDissolutionPending', position: 5, data: { creditCode: 'C1', confirmableFrom: '2026-01-31T00:00:00.000Z' } };
      return [
        lib.pendingDissolution([{ type: 'OrgFormed', position: 1 }, pending]),
        lib.pendingDissolution([pending, { type: 'OrgDissolutionCancelled', position: 7 }]),
        lib.pendingDissolution([{ type: 'OrgDissolved', position: 9 }, pending]),
        lib.pendingDissolution([{ type: 'OrgDissolutionCancelled', position: 3 }, pending]),
        lib.pendingDissolution(null),
      ];
    });
    expect(out).toEqual([{ creditCode: 'C1', since: null, confirmableFrom: '2026-01-31T00:00:00.000Z' }, null, null, { creditCode: 'C1', since: null, confirmableFrom: '2026-01-31T00:00:00.000Z' }, null]);
  });

  it('flags an active organisation holding enterprises with fewer than 3 full members, not an umbrella or a dissolved one', () => {
    const out = inBrowserModule<boolean[]>((lib) =>
      [
        { status: 'active', enterprises: ['A'], fullMembers: 2 },
        { status: 'active', enterprises: ['A', 'B'], fullMembers: 3 },
        { status: 'active', enterprises: [], fullMembers: 0 },
        { status: 'dissolved', enterprises: ['A'], fullMembers: 1 },
      ].map(lib.isBelowThreshold),
    );
    expect(out).toEqual([true, false, false, false]);
  });

  it('lists what needs the officer and announces only what grew since it last said', () => {
    const out = inBrowserModule<Array<{ items: Array<{ kind: string; count: number }>; fresh: string[] }>>((lib) => {
      const first = lib.notificationsOf({ overdue: 1, pendingProposals: 0, belowThreshold: [] }, null);
      const second = lib.notificationsOf({ overdue: 1, pendingProposals: 2, belowThreshold: [{ id: 'o' }] }, first.items);
      const third = lib.notificationsOf({ overdue: 0, pendingProposals: 1, belowThreshold: [{ id: 'o' }] }, second.items);
      return [first, second, third].map(({ items, fresh }) => ({ items: items.map(({ kind, count }) => ({ kind, count })), fresh }));
    });
    expect(out[0]).toEqual({ items: [{ kind: 'overdue', count: 1 }], fresh: [] });
    expect(out[1]).toEqual({ items: [{ kind: 'overdue', count: 1 }, { kind: 'proposals', count: 2 }, { kind: 'below-threshold', count: 1 }], fresh: ['proposals', 'below-threshold'] });
    expect(out[2]).toEqual({ items: [{ kind: 'proposals', count: 1 }, { kind: 'below-threshold', count: 1 }], fresh: [] });
  });

  it('reads scores typed as "criterion=score" and money typed in yuan', () => {
    const out = inBrowserModule<{ good: unknown; bad: unknown; fen: number[] }>((lib) => ({
      good: lib.parseScores('organisation-life=85\nrole-played: 70.5, extra 3'),
      bad: lib.parseScores('Bad Key=5\nrole-played=120'),
      fen: ['1 200.50', '1200', '0.1', '1.234', 'abc', ''].map(lib.yuanToFen),
    }));
    expect(out.good).toEqual({ scores: { 'organisation-life': 85, 'role-played': 70.5, extra: 3 }, problems: [] });
    expect(out.bad).toEqual({ scores: {}, problems: ['Bad Key=5', 'role-played=120'] });
    expect(out.fen).toEqual([120050, 120000, 10, null, null, null]);
  });
});
