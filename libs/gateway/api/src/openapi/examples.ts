import type { JsonSchema } from './schema-from-validators';

/**
 * Example values by field name, for fields whose form a schema cannot make up (codes, districts, ids, words an
 * officer would write). Everything else is derived from the schema. A test validates every generated example
 * against its DTO, so an example that the API would refuse fails the build.
 */
const BY_FIELD: Record<string, unknown> = {
  creditCode: '91430104000000001W',
  enterprises: ['91430104000000001W'],
  district: '430104',
  districts: ['430104'],
  name: '长沙示范科技有限公司',
  subject: 'zhang.wei',
  year: 2025,
  employees: 60,
  fullMembers: 4,
  probationaryMembers: 1,
  orgId: 'standalone-430104-91430104000000001W',
  intoOrgId: 'joint-430104-1',
  mergedOrgId: 'joint-430104-2',
  parentOrgId: 'industry-chain-joint-430104-0123456789ab',
  publicUnitOrgId: 'public-430104-1',
  publicUnitName: '岳麓区市场监督管理局',
  grantId: 'grant-2025-0001',
  personId: 'p-zhang-wei',
  rubricId: 'five-standards',
  id: 'organisation-life',
  label: '组织生活正常化',
  reason: '按季度核对党员名册',
  note: '试点',
  description: '需要党建指导员协助开展组织生活',
  resolution: '已派指导员上门指导',
  assessor: '区委组织部',
  payee: '长沙示范科技有限公司党支部',
  industryChain: 'engineering-machinery',
  park: '岳麓高新区',
  building: '麓谷大厦',
  registeredOn: '2021-03-15',
  orgFormedOn: '2024-07-01',
  pairedOn: '2025-03-01',
  dueDate: '2025-09-30',
  justifiedBy: ['evt-0001'],
  developmentNeeds: ['党员发展'],
  reasonNoOrganisation: '暂无正式党员',
  scores: { 'organisation-life': 85, 'role-played': 78 },
  starThresholds: [50, 60, 70, 80, 90],
  passScore: 60,
  weight: 1,
  amountFen: 500_000,
  expiresInSeconds: 86_400,
};

/** An example for `schema`: by field name where one is known, else the least value the schema allows. */
export function exampleFor(schema: JsonSchema, resolve: (ref: string) => JsonSchema, field?: string): unknown {
  if (schema.$ref) return resolve(schema.$ref).example ?? exampleFor(resolve(schema.$ref), resolve);
  if (field !== undefined && field in BY_FIELD && fits(BY_FIELD[field], schema)) return BY_FIELD[field];
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      if (!schema.properties) return undefined;
      const example: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties)) {
        const value = exampleFor(property, resolve, name);
        if (value !== undefined) example[name] = value;
      }
      return example;
    }
    case 'array': {
      const item = schema.items ? exampleFor(schema.items, resolve) : undefined;
      return item === undefined ? [] : Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => item);
    }
    case 'integer':
    case 'number':
      return Math.min(schema.maximum ?? Number.MAX_SAFE_INTEGER, Math.max(schema.minimum ?? 1, 1));
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'date') return '2025-06-30';
      if (schema.format === 'iso-8601') return '2025-06-30';
      if (schema.pattern !== undefined) return undefined;
      return 'text'.padEnd(schema.minLength ?? 0, 'x').slice(0, schema.maxLength ?? 4);
    default:
      return undefined;
  }
}

const fits = (value: unknown, schema: JsonSchema): boolean => {
  if (schema.enum) return schema.enum.includes(value);
  if (schema.type === 'array') return Array.isArray(value);
  if (schema.type === 'integer') return Number.isInteger(value);
  if (schema.type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  if (schema.type === 'string' && typeof value === 'string') return schema.pattern === undefined || new RegExp(schema.pattern).test(value);
  return schema.type === undefined || typeof value === schema.type;
};
