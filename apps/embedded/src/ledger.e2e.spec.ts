import ExcelJS from 'exceljs';
import { generateCreditCode } from '@liangxin/registry-domain';
import { startTestSystem, type TestSystem } from './testing';

// Issue #18 item 1: the enterprise ledger (七个清) over HTTP: search by a name fragment or the start of a credit code,
// each filter, pages in a stable order with a total, only the caller's districts; and every list route pages the same way.
const A = '430104';
const B = '430105';

interface Seed {
  serial: number;
  district: string;
  name: string;
  park?: string;
  industryChain?: string;
  building?: string;
  ownership?: string;
  fullMembers?: number;
  registeredOn?: string;
}

const SEEDS: Seed[] = [
  { serial: 1, district: A, name: '长沙岳麓新材料有限公司', park: '麓谷园区', industryChain: '新材料', building: '创业大厦', ownership: 'domestic-private', registeredOn: '2019-03-01' },
  { serial: 2, district: A, name: '长沙岳麓智能装备有限公司', park: '麓谷园区', industryChain: '智能装备', building: '创业大厦', ownership: 'foreign' },
  { serial: 3, district: A, name: '湘江软件第2号工作室', park: '湘江新区', industryChain: '软件', building: '科技楼', ownership: 'domestic-private', fullMembers: 4 },
  { serial: 4, district: A, name: '湘江软件第10号工作室', park: '湘江新区', industryChain: '软件', building: '科技楼', ownership: 'hong-kong-macao-taiwan' },
  { serial: 5, district: A, name: 'Changsha Lakeside Trading', park: '麓谷园区', industryChain: '贸易', ownership: 'foreign' },
  { serial: 6, district: B, name: '长沙开福新材料有限公司', park: '金霞园区', industryChain: '新材料', ownership: 'domestic-private' },
];
const codeOf = (seed: Pick<Seed, 'district' | 'serial'>) => generateCreditCode(seed.district, seed.serial);
/** more enterprises of A, to page through */
const FILLER = 23;

describe('the enterprise ledger and list pagination over HTTP (embedded system)', () => {
  let system: TestSystem;
  let officerA: string;
  let auditorB: string;
  const get = async (path: string, token?: string) => system.call(path, { headers: { 'X-Min-Position': String(await system.settled()) }, ...(token && { token }) });
  const codes = (body: { items: { creditCode: string }[] }) => body.items.map((e) => e.creditCode);

  beforeAll(async () => {
    system = await startTestSystem();
    officerA = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'ledger-officer-a', role: 'officer', districts: [A] } })).body.token;
    auditorB = (await system.call('/api/admin/tokens', { method: 'POST', json: { subject: 'ledger-auditor-b', role: 'auditor', districts: [B] } })).body.token;
    for (const { serial, district, fullMembers = 0, ...ledger } of SEEDS) {
      const created = await system.call('/api/enterprises', {
        method: 'POST',
        json: { creditCode: codeOf({ serial, district }), kind: 'enterprise', employees: 10, fullMembers, probationaryMembers: 0, ...ledger },
      });
      expect(created.status).toBe(201);
    }
    for (let serial = 100; serial < 100 + FILLER; serial++) {
      const created = await system.call('/api/enterprises', {
        method: 'POST',
        json: { creditCode: generateCreditCode(A, serial), name: `岳麓批量企业${serial}`, kind: 'enterprise', employees: 3, fullMembers: 0, probationaryMembers: 0 },
      });
      expect(created.status).toBe(201);
    }
    const needs = await system.call(`/api/enterprises/${codeOf(SEEDS[0])}/ledger-corrections`, { method: 'POST', json: { developmentNeeds: ['融资', '用工'], note: '走访补录' } });
    if (needs.status >= 300) throw new Error(`correcting the ledger failed: ${needs.status} ${JSON.stringify(needs.body)}`);
    await system.settled();
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it('finds enterprises by a Chinese fragment of the name, wherever it stands in the name', async () => {
    const found = await get(`/api/enterprises?q=${encodeURIComponent('新材料')}`);
    expect(found.status).toBe(200);
    expect(new Set(codes(found.body))).toEqual(new Set([codeOf(SEEDS[0]), codeOf(SEEDS[5])]));
    expect(found.body.total).toBe(2);
    const middle = await get(`/api/enterprises?district=${A}&q=${encodeURIComponent('岳麓智能')}`);
    expect(codes(middle.body)).toEqual([codeOf(SEEDS[1])]);
    const latin = await get(`/api/enterprises?q=lakeside`);
    expect(codes(latin.body)).toEqual([codeOf(SEEDS[4])]);
  });

  it('finds enterprises by the start of the credit code, not by a fragment in its middle', async () => {
    const code = codeOf(SEEDS[2]);
    const byPrefix = await get(`/api/enterprises?q=${code.slice(0, 16)}`);
    expect(codes(byPrefix.body)).toContain(code);
    expect(codes(byPrefix.body).every((c) => c.startsWith(code.slice(0, 16)))).toBe(true);
    expect(codes((await get(`/api/enterprises?q=${code}`)).body)).toEqual([code]);
    expect(codes((await get(`/api/enterprises?q=${code.toLowerCase()}`)).body)).toEqual([code]);
    // the district's prefix lists the whole district
    expect((await get(`/api/enterprises?q=${code.slice(0, 8)}`)).body.total).toBe(SEEDS.filter((s) => s.district === A).length + FILLER);
    expect((await get(`/api/enterprises?q=${code.slice(6, 14)}`)).body.total).toBe(0);
  });

  it('filters by each ledger field', async () => {
    const only = async (query: string) => new Set(codes((await get(`/api/enterprises?${query}`)).body));
    expect(await only(`park=${encodeURIComponent('麓谷园区')}`)).toEqual(new Set([SEEDS[0], SEEDS[1], SEEDS[4]].map(codeOf)));
    expect(await only(`industryChain=${encodeURIComponent('新材料')}`)).toEqual(new Set([SEEDS[0], SEEDS[5]].map(codeOf)));
    expect(await only(`building=${encodeURIComponent('科技楼')}`)).toEqual(new Set([SEEDS[2], SEEDS[3]].map(codeOf)));
    expect(await only('ownership=foreign')).toEqual(new Set([SEEDS[1], SEEDS[4]].map(codeOf)));
    expect(await only(`district=${B}`)).toEqual(new Set([codeOf(SEEDS[5])]));
    // four full members: a standalone branch is formed, so it is the one organisationally covered
    expect(await only(`district=${A}&coverage=organisational`)).toEqual(new Set([codeOf(SEEDS[2])]));
    expect((await get(`/api/enterprises?district=${A}&coverage=none`)).body.total).toBe(SEEDS.filter((s) => s.district === A).length + FILLER - 1);
    expect((await get('/api/enterprises?status=normal')).body.total).toBe(SEEDS.length + FILLER);
    expect((await get('/api/enterprises?status=deregistered')).body.total).toBe(0);
    expect(await only(`park=${encodeURIComponent('麓谷园区')}&ownership=foreign&q=${encodeURIComponent('装备')}`)).toEqual(new Set([codeOf(SEEDS[1])]));
  });

  it('shows all seven facts of the ledger, development needs and registration date included', async () => {
    const [line] = (await get(`/api/enterprises?q=${codeOf(SEEDS[0])}`)).body.items;
    expect(line).toMatchObject({
      creditCode: codeOf(SEEDS[0]),
      name: SEEDS[0].name,
      district: A,
      park: '麓谷园区',
      industryChain: '新材料',
      building: '创业大厦',
      ownership: 'domestic-private',
      employees: 10,
      fullMembers: 0,
      probationaryMembers: 0,
      operatingStatus: 'normal',
      coverage: 'none',
      developmentNeeds: ['融资', '用工'],
      registeredOn: '2019-03-01',
    });
    expect(line).toHaveProperty('coverageReason');
    expect(line).toHaveProperty('orgId', null);
    expect((await get(`/api/enterprises/${codeOf(SEEDS[0])}`)).body).toMatchObject({ developmentNeeds: ['融资', '用工'], registeredOn: '2019-03-01' });
  });

  it('pages through the ledger in a stable order (district, then natural order of names), with the total on every page', async () => {
    const all = await get(`/api/enterprises?district=${A}&limit=500`);
    const expectedTotal = SEEDS.filter((s) => s.district === A).length + FILLER;
    expect(all.body.total).toBe(expectedTotal);
    expect(all.body.nextCursor).toBeNull();
    const names: string[] = all.body.items.map((e: { name: string }) => e.name);
    // 第2号 before 第10号
    expect(names.indexOf('湘江软件第2号工作室')).toBeLessThan(names.indexOf('湘江软件第10号工作室'));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(`/api/enterprises?district=${A}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(expectedTotal);
      expect(page.body.limit).toBe(7);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...codes(page.body));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(Math.ceil(expectedTotal / 7));
    expect(seen).toEqual(codes(all.body));
    expect(new Set(seen).size).toBe(expectedTotal);
    // the default page is 50
    expect((await get(`/api/enterprises?district=${A}`)).body.limit).toBe(50);
  });

  it('shows an officer or auditor only the districts of the token', async () => {
    const officerAll = await get('/api/enterprises?limit=500', officerA);
    expect(officerAll.status).toBe(200);
    expect(officerAll.body.items.every((e: { district: string }) => e.district === A)).toBe(true);
    expect(officerAll.body.total).toBe(SEEDS.filter((s) => s.district === A).length + FILLER);
    expect((await get(`/api/enterprises?q=${encodeURIComponent('开福')}`, officerA)).body.total).toBe(0);
    expect((await get(`/api/enterprises?district=${B}`, officerA)).status).toBe(403);
    const auditor = await get('/api/enterprises', auditorB);
    expect(codes(auditor.body)).toEqual([codeOf(SEEDS[5])]);
    expect((await get(`/api/enterprises?district=${A}`, auditorB)).status).toBe(403);
  });

  it('refuses a bad limit, cursor or filter with 400 naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('["x"]').toString('base64url')}`, 'cursor'],
      ['cursor=%00', 'cursor'],
      ['coverage=partly', 'coverage'],
      ['ownership=state', 'ownership'],
      ['status=asleep', 'status'],
      ['district=abc', 'district'],
      [`q=${'长'.repeat(101)}`, 'q'],
      ['park=%E2%80%8B', 'park'],
      ['sort=name', 'sort'],
    ] as const) {
      const refused = await get(`/api/enterprises?${query}`);
      expect({ query, status: refused.status }).toEqual({ query, status: 400 });
      expect(refused.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
  });

  it('pages every other list the same way: limit, cursor, total, nextCursor', async () => {
    const lists = [`/api/orgs?district=${A}`, `/api/requests?district=${A}`, `/api/org-proposals?district=${A}`, '/api/funding/budgets', `/api/coverage/worklist?district=${A}`, '/api/coverage/districts', `/api/audit/enterprises/${codeOf(SEEDS[2])}`, '/api/admin/audit', '/api/admin/jobs', '/api/admin/dead-letters', '/api/instructors/p-nobody/caseload'];
    for (const list of lists) {
      const joiner = list.includes('?') ? '&' : '?';
      const first = await get(`${list}${joiner}limit=1`);
      expect({ list, status: first.status }).toEqual({ list, status: 200 });
      expect({ list, keys: Object.keys(first.body) }).toEqual({ list, keys: expect.arrayContaining(['items', 'total', 'limit', 'nextCursor']) });
      expect(first.body.limit).toBe(1);
      expect(first.body.items.length).toBeLessThanOrEqual(1);
      expect(first.body.nextCursor === null).toBe(first.body.total <= 1);
      if (first.body.nextCursor) {
        const second = await get(`${list}${joiner}limit=1&cursor=${first.body.nextCursor}`);
        expect(second.status).toBe(200);
        expect(second.body.items).toHaveLength(1);
        expect(second.body.items[0]).not.toEqual(first.body.items[0]);
        expect(second.body.total).toBe(first.body.total);
      }
      expect({ list, status: (await get(`${list}${joiner}limit=0`)).status }).toEqual({ list, status: 400 });
      const badCursor = await get(`${list}${joiner}cursor=zz`);
      expect({ list, status: badCursor.status, field: badCursor.body.details?.[0]?.field }).toEqual({ list, status: 400, field: 'cursor' });
    }
  });

  it('pages the organisations in the natural order of their names across pages', async () => {
    const all = (await get(`/api/orgs?district=${A}&limit=500`)).body;
    const paged: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || (cursor && pages < 10); pages++) {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await get(`/api/orgs?district=${A}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.body.items.map((o) => o.id));
      cursor = page.body.nextCursor;
    }
    expect(paged).toEqual(all.items.map((o: { id: string }) => o.id));
  });

  describe('exports (?format=)', () => {
    const download = async (path: string, token?: string) => {
      const response = await fetch(system.url + path, { headers: { authorization: `Bearer ${token ?? system.adminToken}`, 'X-Min-Position': String(await system.settled()) } });
      return { status: response.status, type: response.headers.get('content-type') ?? '', disposition: response.headers.get('content-disposition') ?? '', bytes: Buffer.from(await response.arrayBuffer()) };
    };

    it('writes the whole filtered ledger (every page, not one) as CSV with Chinese headers, district names and the as-of time', async () => {
      const file = await download(`/api/enterprises?district=${A}&limit=3&format=csv`, officerA);
      expect(file.status).toBe(200);
      expect(file.type).toMatch(/^text\/csv/);
      expect(file.disposition).toMatch(/attachment; filename="enterprise-ledger_430104_\d{4}-\d{2}-\d{2}\.csv"/);
      const text = file.bytes.toString('utf8');
      expect(text.charCodeAt(0)).toBe(0xfeff);
      const lines = text.slice(1).trim().split('\r\n');
      expect(lines[0]).toBe('两新组织企业台账');
      expect(lines[1]).toMatch(/^行政区划,430104 岳麓区/);
      expect(lines[2]).toMatch(/^截至时间,\d{4}-\d{2}-\d{2}T/);
      expect(lines[4]).toBe('统一社会信用代码,企业名称,行政区划,经济类型,园区,楼宇,产业链,从业人员,正式党员,预备党员,经营状态,覆盖情况,所属党组织,未覆盖原因,未建原因,发展需求,成立日期');
      const rows = lines.slice(5);
      expect(rows).toHaveLength(SEEDS.filter((s) => s.district === A).length + FILLER);
      const first = rows.find((line) => line.startsWith(codeOf(SEEDS[0])));
      expect(first).toContain('长沙岳麓新材料有限公司,430104,民营,麓谷园区,创业大厦,新材料,10,0,0,正常,未覆盖');
      expect(first).toContain('融资；用工,2019-03-01');
    });

    it('keeps the filters and the tenancy in the file', async () => {
      const file = await download(`/api/enterprises?format=csv&ownership=foreign`, officerA);
      const rows = file.bytes.toString('utf8').trim().split('\r\n').slice(5);
      expect(rows.map((line) => line.split(',')[0]).sort()).toEqual([SEEDS[1], SEEDS[4]].map(codeOf).sort());
      expect((await download(`/api/enterprises?district=${B}&format=csv`, officerA)).status).toBe(403);
    });

    it('writes XLSX a spreadsheet opens: the header row in Chinese and one row per enterprise, numbers as numbers', async () => {
      const file = await download(`/api/enterprises?park=${encodeURIComponent('麓谷园区')}&format=xlsx`);
      expect(file.status).toBe(200);
      expect(file.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(file.bytes as unknown as ArrayBuffer);
      const sheet = book.worksheets[0];
      expect(sheet.getRow(5).getCell(1).value).toBe('统一社会信用代码');
      const codes = [6, 7, 8].map((r) => sheet.getRow(r).getCell(1).value);
      expect(new Set(codes)).toEqual(new Set([SEEDS[0], SEEDS[1], SEEDS[4]].map(codeOf)));
      expect(sheet.getRow(6).getCell(8).value).toBe(10);
      expect(sheet.getRow(9).getCell(1).value ?? null).toBeNull();
    });

    it('exports the other lists the same way, and refuses an unknown format naming the field', async () => {
      for (const list of [`/api/orgs?district=${A}`, `/api/requests?district=${A}`, `/api/org-proposals?district=${A}`, '/api/funding/budgets', `/api/coverage/worklist?district=${A}`, '/api/coverage/districts', '/api/instructors/p-nobody/caseload']) {
        const joiner = list.includes('?') ? '&' : '?';
        const csv = await download(`${list}${joiner}format=csv`);
        expect({ list, status: csv.status, type: csv.type }).toEqual({ list, status: 200, type: expect.stringMatching(/^text\/csv/) });
        expect(csv.bytes.toString('utf8').split('\r\n')[2]).toMatch(/^截至时间,/);
        const html = await download(`${list}${joiner}format=html`);
        expect({ list, status: html.status, type: html.type }).toEqual({ list, status: 200, type: expect.stringMatching(/^text\/html/) });
        const refused = await get(`${list}${joiner}format=pdf`);
        expect({ list, status: refused.status, field: refused.body.details?.[0]?.field }).toEqual({ list, status: 400, field: 'format' });
      }
      const worklist = (await download(`/api/coverage/worklist?district=${A}&format=csv`)).bytes.toString('utf8').trim().split('\r\n');
      expect(worklist.length - 5).toBe((await get(`/api/coverage/worklist?district=${A}`)).body.total);
    });
  });
});
