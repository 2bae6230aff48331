import { CREDIT_CODE_ALPHABET, creditCodeCheckCharacter } from '@liangxin/contracts';
import ExcelJS from 'exceljs';

/** A valid GB 32100 code: 91 (an enterprise registered with the market regulator), the district, `serial` in base 31, the check character. */
export function creditCodeFor(district: string, serial: number): string {
  if (!/^\d{6}$/.test(district)) throw new RangeError(`district must be 6 digits, got ${district}`);
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= 31 ** 9) throw new RangeError(`serial out of range: ${serial}`);
  let organisationCode = '';
  for (let rest = serial, i = 0; i < 9; i++, rest = Math.floor(rest / 31)) organisationCode = CREDIT_CODE_ALPHABET[rest % 31] + organisationCode;
  const first17 = `91${district}${organisationCode}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** The header row of files this project writes (the usual Chinese headers, docs/import.md). */
export const REGISTER_HEADERS = ['统一社会信用代码', '企业名称', '从业人员', '正式党员', '预备党员', '经营状态', '产业链', '园区', '成立日期'] as const;
export type RegisterRow = Record<(typeof REGISTER_HEADERS)[number], string | number>;

const CHAINS = ['电子信息', '新能源', '装备制造', '生物医药', '现代服务'];
const PARKS = ['高新园', '经开园', '物流园'];
const TRADES = ['科技', '电子', '新材料', '机械', '物流', '医药', '软件', '光伏'];

export interface DistrictProfile {
  district: string;
  enterprises: number;
  /** enterprises with at least one full party member */
  withMembers: number;
  /** of those, how many have 3 or more full members (a standalone branch each) */
  standalone: number;
  /** first serial of the credit codes, so two files can hold different enterprises */
  firstSerial?: number;
}

/**
 * A district's register as a regulator's file might read, deterministic for a profile: Shangrao ETDZ (DOMAIN.md, 004)
 * is 436 enterprises, 136 with members, 52 of them with a standalone branch.
 */
export function generateRegister(profile: DistrictProfile): RegisterRow[] {
  const rows: RegisterRow[] = [];
  const first = profile.firstSerial ?? 1;
  for (let i = 0; i < profile.enterprises; i++) {
    const hasMembers = i < profile.withMembers;
    const full = !hasMembers ? 0 : i < profile.standalone ? 3 + (i % 6) : 1 + (i % 2);
    rows.push({
      统一社会信用代码: creditCodeFor(profile.district, first + i),
      企业名称: `${profile.district}${TRADES[i % TRADES.length]}${first + i}号有限公司`,
      从业人员: 5 + ((i * 37) % 180),
      正式党员: full,
      预备党员: hasMembers && i % 5 === 0 ? 1 : 0,
      经营状态: '存续',
      产业链: CHAINS[i % CHAINS.length],
      园区: PARKS[i % PARKS.length],
      成立日期: `20${String(10 + (i % 14)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    });
  }
  return rows;
}

const csvCell = (value: string | number): string => (/[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));

/** UTF-8 with a byte-order mark, as Excel saves "CSV UTF-8", so Excel opens the Chinese headers correctly. */
export function registerCsv(rows: readonly RegisterRow[]): Buffer {
  const lines = [REGISTER_HEADERS.join(','), ...rows.map((row) => REGISTER_HEADERS.map((h) => csvCell(row[h])).join(','))];
  return Buffer.from(`\uFEFF${lines.join('\n')}\n`, 'utf8');
}

export async function registerWorkbook(rows: readonly RegisterRow[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('企业名录');
  sheet.addRow([...REGISTER_HEADERS]);
  for (const row of rows) sheet.addRow(REGISTER_HEADERS.map((h) => row[h]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
