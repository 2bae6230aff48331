import {
  creditCodeProblem,
  districtOfCreditCode,
  divisionName,
  type EnterpriseKind,
  type ImportRegisterRowMessage,
  MAX_HEAD_COUNT,
  type OperatingStatus,
  type Ownership,
} from '@liangxin/contracts';

/** The fields a register row fills (ImportRegisterRowMessage), plus `district`, which is only checked against the code. */
export type RegisterField = keyof ImportRegisterRowMessage | 'district';

/**
 * Headers as the market regulator's and the organisation departments' files write them (docs/import.md). Matched
 * after trimming, ignoring case, spaces and a trailing unit in brackets: 从业人员（人） is 从业人员.
 */
export const COLUMN_HEADERS: Readonly<Record<RegisterField, readonly string[]>> = {
  creditCode: ['统一社会信用代码', '社会信用代码', '信用代码', 'creditCode'],
  name: ['企业名称', '单位名称', '组织名称', '名称', 'name'],
  kind: ['组织类型', '主体类型', '类型', 'kind'],
  employees: ['从业人员', '从业人数', '从业人员数', '职工人数', '员工人数', 'employees'],
  fullMembers: ['正式党员', '正式党员数', '正式党员人数', 'fullMembers'],
  probationaryMembers: ['预备党员', '预备党员数', '预备党员人数', 'probationaryMembers'],
  status: ['经营状态', '登记状态', '状态', 'status'],
  district: ['行政区划代码', '区划代码', '所属区县代码', 'district'],
  industryChain: ['产业链', '所属产业链', 'industryChain'],
  park: ['园区', '所属园区', 'park'],
  building: ['楼宇', '所在楼宇', 'building'],
  ownership: ['投资方类型', '出资类型', '投资类型', 'ownership'],
  registeredOn: ['成立日期', '注册日期', '登记日期', 'registeredOn'],
};

/** The name the report and docs give each column when the file did not have it. */
export const COLUMN_LABEL: Readonly<Record<RegisterField, string>> = Object.fromEntries(Object.entries(COLUMN_HEADERS).map(([field, headers]) => [field, headers[0]])) as Record<
  RegisterField,
  string
>;

const REQUIRED: readonly RegisterField[] = ['creditCode', 'name', 'employees', 'fullMembers', 'probationaryMembers'];

const normalise = (header: string): string =>
  header
    .replace(/[（(][^）)]*[）)]\s*$/, '')
    .replace(/\s+/g, '')
    .toLowerCase();

const byHeader = new Map<string, RegisterField>(
  (Object.entries(COLUMN_HEADERS) as [RegisterField, readonly string[]][]).flatMap(([field, headers]) => headers.map((h) => [normalise(h), field] as const)),
);

/** Which column of the file holds each field; headers it does not know are ignored (a regulator's file has many). */
export interface ColumnMap {
  /** field → the header as written in the file */
  headerOf: Partial<Record<RegisterField, string>>;
  /** required fields no header names */
  missing: RegisterField[];
}

export function mapColumns(headers: readonly string[]): ColumnMap {
  const headerOf: Partial<Record<RegisterField, string>> = {};
  for (const header of headers) {
    const field = byHeader.get(normalise(header));
    if (field && !headerOf[field]) headerOf[field] = header;
  }
  return { headerOf, missing: REQUIRED.filter((field) => !headerOf[field]) };
}

/** Why a row is refused: which column, what is wrong, the stable code. */
export interface RowRefusal {
  code: string;
  field: string;
  column: string;
  reason: string;
}

export type ValidatedRow = { ok: true; message: ImportRegisterRowMessage } | { ok: false; refusal: RowRefusal };

const KINDS: Record<string, EnterpriseKind> = {
  企业: 'enterprise',
  非公有制企业: 'enterprise',
  非公企业: 'enterprise',
  enterprise: 'enterprise',
  社会组织: 'social-organisation',
  'social-organisation': 'social-organisation',
};

const STATUSES: Record<string, OperatingStatus> = {
  存续: 'normal',
  在业: 'normal',
  开业: 'normal',
  正常: 'normal',
  normal: 'normal',
  异常: 'abnormal',
  经营异常: 'abnormal',
  abnormal: 'abnormal',
  注销: 'deregistered',
  吊销: 'deregistered',
  已注销: 'deregistered',
  deregistered: 'deregistered',
};

const OWNERSHIP_NAMES: Record<string, Ownership> = {
  民营: 'domestic-private',
  内资私营: 'domestic-private',
  私营: 'domestic-private',
  'domestic-private': 'domestic-private',
  外资: 'foreign',
  外商投资: 'foreign',
  foreign: 'foreign',
  港澳台: 'hong-kong-macao-taiwan',
  港澳台投资: 'hong-kong-macao-taiwan',
  'hong-kong-macao-taiwan': 'hong-kong-macao-taiwan',
  社会组织: 'social-organisation',
  'social-organisation': 'social-organisation',
};

class Refused extends Error {
  constructor(
    readonly code: string,
    readonly field: RegisterField,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const written = value instanceof Date ? value.toISOString().slice(0, 10) : String(value).trim();
  return written === '' ? undefined : written;
};

const count = (value: unknown, field: RegisterField): number => {
  const written = text(value);
  if (written === undefined) throw new Refused('MISSING_VALUE', field, 'is empty: write a whole number (0 when there are none)');
  const parsed = typeof value === 'number' ? value : /^\d+$/.test(written) ? Number(written) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Refused('INVALID_COUNT', field, `must be a whole number of zero or more, got "${written}"`);
  if (parsed > MAX_HEAD_COUNT) throw new Refused('INVALID_COUNT', field, `is larger than any workforce (${parsed}): a typing mistake?`);
  return parsed;
};

const oneOf = <T>(value: unknown, names: Record<string, T>, field: RegisterField, code: string): T | undefined => {
  const written = text(value);
  if (written === undefined) return undefined;
  const known = names[written] ?? names[written.toLowerCase()];
  if (known === undefined) throw new Refused(code, field, `"${written}" is not one of ${Object.keys(names).join('、')}`);
  return known;
};

const date = (value: unknown): string | undefined => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  const written = text(value);
  if (written === undefined) return undefined;
  const match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(written);
  const iso = match && `${match[1]}-${match[2].padStart(2, '0')}-${match[3].padStart(2, '0')}`;
  if (!iso || Number.isNaN(Date.parse(iso)) || new Date(iso).toISOString().slice(0, 10) !== iso) throw new Refused('INVALID_DATE', 'registeredOn', `"${written}" is not a date (write 2024-03-15)`);
  return iso;
};

const CREDIT_CODE_PROBLEM: Record<string, string> = {
  'not-a-string': 'is empty',
  'wrong-length': 'must have exactly 18 characters',
  'bad-character': 'may only use digits and the letters ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z)',
  'bad-division': 'must carry a 6-digit administrative division in characters 3 to 8',
  'bad-check-character': 'has a wrong check character (the 18th): check it against the business licence',
};

/**
 * One row of the file read into what the registry is asked, or refused with the column at fault. These checks are the
 * file's own (a cell that is no number, a code with a wrong check character); the registry decides everything that
 * depends on the ledger and checks its own rules again.
 */
export function validateRow(cells: Readonly<Record<string, unknown>>, columns: ColumnMap): ValidatedRow {
  const cell = (field: RegisterField): unknown => {
    const header = columns.headerOf[field];
    return header === undefined ? undefined : cells[header];
  };
  try {
    const written = text(cell('creditCode'))?.toUpperCase();
    const problem = creditCodeProblem(written);
    if (problem) throw new Refused('INVALID_CREDIT_CODE', 'creditCode', `${written ?? ''} ${CREDIT_CODE_PROBLEM[problem]}`.trim());
    const creditCode = written as string;
    const district = text(cell('district'));
    if (district !== undefined) {
      if (!/^\d{6}$/.test(district) || !divisionName(district)) throw new Refused('UNKNOWN_DIVISION', 'district', `"${district}" is not a GB/T 2260 administrative division code`);
      if (district !== districtOfCreditCode(creditCode))
        throw new Refused('DISTRICT_MISMATCH', 'district', `says ${district}, but the credit code names district ${districtOfCreditCode(creditCode)}`);
    }
    const name = text(cell('name'));
    if (name === undefined) throw new Refused('MISSING_VALUE', 'name', 'is empty');
    if (name.length > 200) throw new Refused('INVALID_TEXT', 'name', 'is longer than 200 characters');
    // without a kind column the code says it: 9 = registered with the market regulator, 5 = a social organisation
    const kind = oneOf(cell('kind'), KINDS, 'kind', 'INVALID_KIND') ?? (creditCode.startsWith('5') ? 'social-organisation' : 'enterprise');
    const message: ImportRegisterRowMessage = {
      creditCode,
      name,
      kind,
      employees: count(cell('employees'), 'employees'),
      fullMembers: count(cell('fullMembers'), 'fullMembers'),
      probationaryMembers: count(cell('probationaryMembers'), 'probationaryMembers'),
    };
    const status = oneOf(cell('status'), STATUSES, 'status', 'INVALID_STATUS');
    const ownership = oneOf(cell('ownership'), OWNERSHIP_NAMES, 'ownership', 'INVALID_OWNERSHIP');
    const registeredOn = date(cell('registeredOn'));
    for (const field of ['industryChain', 'park', 'building'] as const) {
      const value = text(cell(field));
      if (value !== undefined && value.length > 100) throw new Refused('INVALID_TEXT', field, 'is longer than 100 characters');
      if (value !== undefined) message[field] = value;
    }
    return { ok: true, message: { ...message, ...(status && { status }), ...(ownership && { ownership }), ...(registeredOn && { registeredOn }) } };
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return { ok: false, refusal: { code: error.code, field: error.field, column: columns.headerOf[error.field] ?? COLUMN_LABEL[error.field], reason: error.reason } };
  }
}

/** The column a field the registry named (a DomainError's field) is read from. */
export function columnOf(field: string | undefined, columns: ColumnMap): string {
  const known = field !== undefined && field in COLUMN_HEADERS ? (field as RegisterField) : 'creditCode';
  return columns.headerOf[known] ?? COLUMN_LABEL[known];
}
