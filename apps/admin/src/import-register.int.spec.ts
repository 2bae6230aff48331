import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enterpriseStreamId, isValidCreditCode } from '@liangxin/contracts';
import { SqliteEventStore } from '@liangxin/event-store';
import { creditCodeFor, generateRegister, registerCsv } from '@liangxin/register-import';
import ExcelJS from 'exceljs';
import { runCli } from './cli';

// `admin import <file> [--dry-run]` on the embedded data folder: the dry run decides every row and writes nothing.
describe('admin import (embedded data folder)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liangxin-admin-import-'));
  const file = join(dataDir, 'register.csv');
  const rows = generateRegister({ district: '361102', enterprises: 30, withMembers: 10, standalone: 4 });
  writeFileSync(file, registerCsv([...rows, { ...rows[0], 统一社会信用代码: creditCodeFor('361102', 999).slice(0, 17) + 'I' }]));

  const cli = async (...argv: string[]) => {
    let stdout = '';
    const exitCode = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: () => undefined, env: { DATA_DIR: dataDir } });
    return { exitCode, json: argv.includes('--json') ? JSON.parse(stdout) : undefined, stdout };
  };
  const head = async () => {
    const store = SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
    try {
      return await store.headPosition();
    } finally {
      await store.close();
    }
  };
  // the system creates the store on its first start; the CLI refuses a folder without one
  beforeAll(async () => SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') }).close());
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a dry run reports what each row would do and appends nothing', async () => {
    const dry = await cli('import', file, '--dry-run', '--json');
    expect(dry.exitCode).toBe(1);
    expect(dry.json.counts).toEqual({ registered: 30, updated: 0, unchanged: 0, refused: 1 });
    expect(dry.json.rows[30]).toMatchObject({ row: 32, code: 'INVALID_CREDIT_CODE', column: '统一社会信用代码' });
    expect(await head()).toBe(0);
  });

  it('imports through the registry, writes the report, and a dry run afterwards finds every row already imported', async () => {
    const reportFile = join(dataDir, 'report.xlsx');
    const done = await cli('import', file, '--report', reportFile);
    expect(done.stdout).toContain('registered 30');
    const position = await head();
    expect(position).toBe(30);
    const store = SqliteEventStore.open({ file: join(dataDir, 'events.sqlite') });
    expect((await store.readStream(enterpriseStreamId(rows[0].统一社会信用代码 as string))).map((e) => e.metadata.reason)).toEqual(['import']);
    await store.close();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(reportFile) as unknown as ArrayBuffer);
    expect(workbook.worksheets[0].rowCount).toBe(32);

    const again = await cli('import', file, '--dry-run', '--json');
    expect(again.json.counts).toEqual({ registered: 0, updated: 0, unchanged: 30, refused: 1 });
    expect(await head()).toBe(position);
  });

  it('prints valid credit codes of a district', async () => {
    const printed = await cli('credit-code', '--district', '361102', '--count', '3', '--json');
    expect(printed.json.codes).toHaveLength(3);
    expect(printed.json.codes.every((code: string) => isValidCreditCode(code) && code.slice(2, 8) === '361102')).toBe(true);
  });
});
