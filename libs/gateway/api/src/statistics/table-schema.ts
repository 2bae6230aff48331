import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** OpenAPI schema of a statistics table as JSON (the export module's Table). */
export const TABLE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['title', 'asOf', 'districts', 'columns', 'rows'],
  properties: {
    title: { type: 'object', properties: { zh: { type: 'string', example: '党组织覆盖情况（按投资性质）' }, en: { type: 'string', example: 'Coverage by ownership' } } },
    asOf: { type: 'string', format: 'date-time' },
    districts: {
      type: 'array',
      description: 'the districts the figures cover; empty for all (an admin naming none)',
      items: { type: 'object', properties: { code: { type: 'string', example: '430104' }, name: { type: 'string', nullable: true, example: '岳麓区' }, fullName: { type: 'string', nullable: true, example: '湖南省长沙市岳麓区' } } },
    },
    columns: {
      type: 'array',
      items: {
        type: 'object',
        properties: { key: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' }, kind: { type: 'string', enum: ['text', 'count', 'percent', 'decimal'], description: 'percent: a ratio 0..1' } },
      },
    },
    rows: { type: 'array', description: 'one object per line, keyed by column key; cells are strings, numbers or null', items: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }], nullable: true } } },
    notes: { type: 'array', items: { type: 'string' } },
  },
};
