import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enterpriseStreamId } from '@liangxin/contracts';
import { loadConfig } from '@liangxin/platform';
import { creditCodeFor, generateRegister, registerCsv, registerWorkbook, type RegisterRow } from '@liangxin/register-import';
import ExcelJS from 'exceljs';
import { type EmbeddedSystem, startEmbeddedSystem } from './embedded-system';
import { startTestSystem, type TestSystem } from './testing';

// A register file as the market regulator supplies it, uploaded over HTTP: job, per-row report (JSON and XLSX),
// idempotent re-import, a later file's differences as events with reason `import`, tenancy, and a resumed import.
const A = '430104';
const B = '430105';

const row = (district: string, serial: number, overrides: Partial<RegisterRow> = {}): RegisterRow => ({
  统一社会信用代码: creditCodeFor(district, serial),
  企业名称: `导入测试企业${district}-${serial}`,
  从业人员: 20 + serial,
  正式党员: serial % 4,
  预备党员: 0,
  经营状态: '存续',
  产业链: '电子信息',
  园区: '高新园',
  成立日期: '2019-05-01',
  ...overrides,
});

const badCheck = (code: string) => code.slice(0, 17) + (code[17] === '0' ? '1' : '0');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers
type Answer = { status: number; body: any };

async function upload(system: { url: string }, token: string, bytes: Buffer, fileName: string): Promise<Answer> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
  const response = await fetch(`${system.url}/api/imports`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

async function finished(system: { url: string }, token: string, id: string): Promise<Answer['body']> {
  for (;;) {
    const response = await fetch(`${system.url}/api/imports/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const job = await response.json();
    if (job.status !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function importFile(system: TestSystem, bytes: Buffer, fileName: string, token = system.adminToken) {
  const started = await upload(system, token, bytes, fileName);
  expect(started.status).toBe(202);
  const job = await finished(system, token, started.body.id);
  expect(job.status).toBe('succeeded');
  const report = await system.call(`/api/imports/${job.id}/report`, { token });
  expect(report.status).toBe(200);
  return { job, report: report.body };
}

describe('register import over HTTP (embedded system)', () => {
  let system: TestSystem;
  let officerA: string;
  let officerB: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const issue = async (principal: object) => (await system.call('/api/admin/tokens', { method: 'POST', json: principal })).body.token as string;
    officerA = await issue({ subject: 'officer-a', role: 'officer', districts: [A] });
    officerB = await issue({ subject: 'officer-b', role: 'officer', districts: [B] });
  });
  afterAll(async () => {
    await system.shutdown();
  });

  let firstBytes: Awaited<ReturnType<typeof registerWorkbook>> | undefined;
  const firstFile = async () => (firstBytes ??= await registerWorkbook(first));
  const first = [row(A, 1, { 正式党员: 3 }), row(A, 2), row(A, 3), row(A, 4), row(A, 5, { 统一社会信用代码: badCheck(creditCodeFor(A, 5)) }), row(A, 6, { 预备党员: -1 })];

  it('imports an XLSX file as a job, reports every row, refuses bad rows naming the column, and the report downloads as XLSX', async () => {
    const { job, report } = await importFile(system, await firstFile(), '岳麓区名录.xlsx');
    expect(job).toMatchObject({ fileName: '岳麓区名录.xlsx', counts: { registered: 4, updated: 0, unchanged: 0, refused: 2 }, progress: { done: 6, total: 6 } });
    expect(report.rows.filter((r: { outcome: string }) => r.outcome === 'refused')).toEqual([
      expect.objectContaining({ row: 6, outcome: 'refused', code: 'INVALID_CREDIT_CODE', column: '统一社会信用代码' }),
      expect.objectContaining({ row: 7, outcome: 'refused', code: 'INVALID_COUNT', column: '预备党员' }),
    ]);
    expect(report.rows[0]).toMatchObject({ row: 2, creditCode: creditCodeFor(A, 1), outcome: 'registered', events: ['EnterpriseRegistered'] });
    const stream = await system.eventStore.readStream(enterpriseStreamId(creditCodeFor(A, 1)));
    expect(stream.map((e) => [e.type, e.metadata.reason, e.metadata.commandId?.startsWith(`import-${job.sha256.slice(0, 32)}-row-2`)])).toEqual([['EnterpriseRegistered', 'import', true]]);

    const download = await fetch(`${system.url}/api/imports/${job.id}/report?format=xlsx`, { headers: { authorization: `Bearer ${system.adminToken}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await download.arrayBuffer());
    const sheet = workbook.worksheets[0];
    const parsed = [2, 3, 6, 7].map((r) => [sheet.getRow(r).getCell(1).value, sheet.getRow(r).getCell(4).value, sheet.getRow(r).getCell(6).value]);
    expect(parsed).toEqual([
      [2, '新登记 registered', ''],
      [3, '新登记 registered', ''],
      [6, '拒绝 refused', '统一社会信用代码'],
      [7, '拒绝 refused', '预备党员'],
    ]);
    // formation reacted to the imported registration with 3 full members
    await system.settled();
    const enterprise = await system.call(`/api/enterprises/${creditCodeFor(A, 1)}`);
    expect(enterprise.body).toMatchObject({ coverage: 'organisational' });
  });

  it('imports the same file again without one new event: every row unchanged, marked as already imported', async () => {
    await system.settled();
    const head = await system.eventStore.headPosition();
    // the very file uploaded before: a workbook written again records a new creation time, so other bytes
    const { job, report } = await importFile(system, await firstFile(), '岳麓区名录.xlsx');
    expect(job.counts).toEqual({ registered: 0, updated: 0, unchanged: 4, refused: 2 });
    expect(report.rows.filter((r: { alreadyImported?: boolean }) => r.alreadyImported)).toHaveLength(4);
    await system.settled();
    expect(await system.eventStore.headPosition()).toBe(head);
  });

  it('turns a later file (CSV) into events with reason import: members, employees, deregistration; the rest unchanged', async () => {
    const later = [row(A, 1, { 正式党员: 5 }), row(A, 2, { 从业人员: 99 }), row(A, 3, { 经营状态: '注销' }), row(A, 4)];
    const { job } = await importFile(system, registerCsv(later), '岳麓区名录-6月.csv');
    expect(job.counts).toEqual({ registered: 0, updated: 3, unchanged: 1, refused: 0 });
    const newest = async (serial: number) => (await system.eventStore.readStream(enterpriseStreamId(creditCodeFor(A, serial)))).slice(1);
    expect((await newest(1)).map((e) => [e.type, (e.data as { reason?: string }).reason, e.metadata.reason])).toEqual([['MemberCountChanged', 'import', 'import']]);
    expect((await newest(2)).map((e) => [e.type, e.data])).toEqual([['EmployeeCountChanged', expect.objectContaining({ employees: 99, previousEmployees: 22 })]]);
    expect((await newest(3)).map((e) => [e.type, (e.data as { status?: string }).status])).toEqual([['OperatingStatusChanged', 'deregistered']]);
    expect(await newest(4)).toEqual([]);
  });

  it("lets an officer import only into their districts: another district's rows are refused naming the code's column, the job is theirs alone", async () => {
    const { job, report } = await importFile(system, registerCsv([row(A, 20), row(B, 20)]), 'mixed.csv', officerA);
    expect(job.counts).toEqual({ registered: 1, updated: 0, unchanged: 0, refused: 1 });
    expect(report.rows[1]).toMatchObject({ creditCode: creditCodeFor(B, 20), outcome: 'refused', code: 'OUTSIDE_YOUR_DISTRICTS', column: '统一社会信用代码' });
    expect(await system.eventStore.readStream(enterpriseStreamId(creditCodeFor(B, 20)))).toEqual([]);
    expect((await system.call(`/api/imports/${job.id}`, { token: officerB })).status).toBe(404);
    expect((await system.call(`/api/imports/${job.id}/report?format=xlsx`, { token: officerB })).status).toBe(404);
  });

  it('refuses an upload without a file, an unreadable file and one lacking a required column, naming the field', async () => {
    const none = await system.call('/api/imports', { method: 'POST' });
    expect(none).toMatchObject({ status: 400, body: { details: [expect.objectContaining({ field: 'file' })] } });
    const notXlsx = await upload(system, system.adminToken, Buffer.from('not a workbook'), 'x.xlsx');
    expect(notXlsx).toMatchObject({ status: 400, body: { details: [expect.objectContaining({ field: 'file' })] } });
    const noMembers = await upload(system, system.adminToken, Buffer.from('统一社会信用代码,企业名称,从业人员\n'), 'x.csv');
    expect(noMembers.status).toBe(400);
    expect(noMembers.body.message).toContain('fullMembers');
    expect(await system.eventStore.readStream(enterpriseStreamId(creditCodeFor(A, 99)))).toEqual([]);
  });
});

describe('register import interrupted by a shutdown mid-file, then imported again (embedded system)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-import-resume-'));
  const config = loadConfig({ DATA_DIR: dataDir, ADMIN_TOKEN: 'resume-admin', JWT_SECRET: 'resume-secret', WRITES_PER_SECOND: '1000000', WRITE_BURST: '1000000' });
  const rows = generateRegister({ district: '361102', enterprises: 800, withMembers: 250, standalone: 100 });
  let system: EmbeddedSystem | undefined;

  afterAll(async () => {
    await system?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes without doubling: every enterprise registered exactly once, a third import appends nothing', async () => {
    const file = registerCsv(rows);
    system = await startEmbeddedSystem(config, { port: 0, logger: false });
    const started = await upload(system, config.adminToken as string, file, 'shangrao.csv');
    expect(started.status).toBe(202);
    // stop the whole system while the job is part-way through the file
    for (;;) {
      const job = await (await fetch(`${system.url}/api/imports/${started.body.id}`, { headers: { authorization: `Bearer ${config.adminToken}` } })).json();
      if (job.progress.done >= 100) {
        expect(job.progress.done).toBeLessThan(rows.length);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await system.close();
    system = undefined;

    system = await startEmbeddedSystem(config, { port: 0, logger: false });
    const before = await system.eventStore.headPosition();
    expect(before).toBeGreaterThan(0);
    const again = await upload(system, config.adminToken as string, file, 'shangrao.csv');
    const job = await finished(system, config.adminToken as string, again.body.id);
    expect(job.status).toBe('succeeded');
    const report = await (await fetch(`${system.url}/api/imports/${job.id}/report`, { headers: { authorization: `Bearer ${config.adminToken}` } })).json();
    const resumed = report.rows.filter((r: { alreadyImported?: boolean }) => r.alreadyImported).length;
    expect(resumed).toBeGreaterThanOrEqual(100);
    expect(job.counts).toEqual({ registered: rows.length - resumed, updated: 0, unchanged: resumed, refused: 0 });

    const all = await system.eventStore.readAll({ after: 0, limit: 1_000_000 });
    const registrations = all.filter((e) => e.type === 'EnterpriseRegistered').map((e) => (e.data as { creditCode: string }).creditCode);
    expect(registrations).toHaveLength(rows.length);
    expect(new Set(registrations).size).toBe(rows.length);

    await system.settled(60_000);
    const head = await system.eventStore.headPosition();
    const third = await upload(system, config.adminToken as string, file, 'shangrao.csv');
    expect((await finished(system, config.adminToken as string, third.body.id)).counts).toMatchObject({ registered: 0, unchanged: rows.length });
    await system.settled(60_000);
    expect(await system.eventStore.headPosition()).toBe(head);
  });
});
