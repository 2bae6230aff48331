import { applyDecorators, BadRequestException, type PipeTransform, Query, StreamableFile } from '@nestjs/common';
import { ApiProduces, ApiQuery } from '@nestjs/swagger';
import type { Table } from './table';
import { tableToCsv, tableToPrintHtml, tableToXlsx } from './write-table';

const MEDIA_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;

export const EXPORT_FORMATS = ['json', 'xlsx', 'csv', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

class ExportFormatPipe implements PipeTransform<string | undefined, ExportFormat> {
  transform(value: string | undefined): ExportFormat {
    if (value === undefined || value === '') return 'json';
    const format = EXPORT_FORMATS.find((f) => f === value);
    if (!format) throw new BadRequestException({ message: `format must be one of: ${EXPORT_FORMATS.join(', ')}`, details: [{ field: 'format', reason: `must be ${EXPORT_FORMATS.join(', ')}; json when absent` }] });
    return format;
  }
}

/** The `?format=` parameter of an exportable route (declared, so the unknown-parameter refusal lets it through); json when absent. */
export const ExportFormatQuery = () => Query('format', new ExportFormatPipe());

/** OpenAPI for an exportable route: the `format` parameter and the media types it answers with. */
export const ApiTableExport = () =>
  applyDecorators(
    ApiQuery({ name: 'format', required: false, enum: EXPORT_FORMATS, description: 'json (default), xlsx, csv (UTF-8 with BOM) or html (the table alone for printing on A4); files carry the Chinese headers, district names and as-of time' }),
    ApiProduces('application/json', MEDIA_TYPES.xlsx, MEDIA_TYPES.csv, MEDIA_TYPES.html),
  );

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'table';

/**
 * `coverage-by-district_430104_2026-06-30.xlsx` for clients that read only `filename`, and the Chinese title in
 * `filename*` (RFC 6266) for those that read it (browsers do).
 */
export function exportFileName(table: Table, extension: string): { ascii: string; chinese: string } {
  const districts = table.districts.length === 1 ? `_${table.districts[0].code}` : '';
  const day = table.asOf.slice(0, 10);
  return { ascii: `${slug(table.title.en)}${districts}_${day}.${extension}`, chinese: `${table.title.zh}${districts}_${day}.${extension}` };
}

const contentDisposition = (table: Table, extension: string, disposition: 'attachment' | 'inline'): string => {
  const name = exportFileName(table, extension);
  return `${disposition}; filename="${name.ascii}"; filename*=UTF-8''${encodeURIComponent(name.chinese)}`;
};

/**
 * What an exportable route returns: the table itself for json, else the file (with Content-Type and a
 * Content-Disposition filename). html is served inline, the others as attachments.
 */
export async function tableResponse(table: Table, format: ExportFormat): Promise<Table | StreamableFile> {
  switch (format) {
    case 'json':
      return table;
    case 'xlsx':
      return new StreamableFile(await tableToXlsx(table), { type: MEDIA_TYPES.xlsx, disposition: contentDisposition(table, 'xlsx', 'attachment') });
    case 'csv':
      return new StreamableFile(tableToCsv(table), { type: MEDIA_TYPES.csv, disposition: contentDisposition(table, 'csv', 'attachment') });
    case 'html':
      return new StreamableFile(Buffer.from(tableToPrintHtml(table), 'utf8'), { type: MEDIA_TYPES.html, disposition: contentDisposition(table, 'html', 'inline') });
    default: {
      const _: never = format;
      return _;
    }
  }
}
