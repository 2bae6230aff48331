import { divisionFullName, divisionName } from '@liangxin/contracts';

/** One cell of an exported table: text, a JSON number, or empty. */
export type Cell = string | number | null;

/**
 * How a number column is written: `count` as a whole number, `percent` a ratio 0..1 shown as 75.6 %, `decimal` as is.
 * Text columns leave it out.
 */
export type ColumnKind = 'text' | 'count' | 'percent' | 'decimal';

export interface TableColumn {
  /** the row field holding this column's cells */
  key: string;
  zh: string;
  en: string;
  kind?: ColumnKind;
}

/** A district named beside its code (GB/T 2260); `name` is null when the division table does not know the code. */
export interface NamedDistrict {
  code: string;
  name: string | null;
  fullName: string | null;
}

/** A table as every export format writes it: the JSON answer is this object itself. */
export interface Table {
  title: { zh: string; en: string };
  /** ISO-8601 instant the figures stand at */
  asOf: string;
  /** the districts the figures cover (the caller's, or the one asked for) */
  districts: NamedDistrict[];
  columns: TableColumn[];
  rows: Record<string, Cell>[];
  /** lines printed under the table (sources, definitions), Chinese */
  notes?: string[];
}

export const namedDistrict = (code: string): NamedDistrict => ({ code, name: divisionName(code) ?? null, fullName: divisionFullName(code) ?? null });

/** "430104 岳麓区、430105 开福区": how files and print pages name the districts. */
export const districtsLine = (districts: readonly NamedDistrict[]): string =>
  districts.length === 0 ? '全部' : districts.map((d) => (d.name ? `${d.code} ${d.name}` : d.code)).join('、');

/** A cell as text, for CSV and print: percent ratios as 75.6%. */
export function cellText(value: Cell, kind: ColumnKind | undefined): string {
  if (value === null) return '';
  if (typeof value === 'number' && kind === 'percent') return `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
  return String(value);
}
