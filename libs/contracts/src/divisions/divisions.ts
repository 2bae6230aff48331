import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface DivisionTable {
  source: string;
  names: Record<string, string>;
}

let table: DivisionTable | undefined;
function divisions(): DivisionTable {
  table ??= JSON.parse(readFileSync(join(__dirname, 'gb2260.json'), 'utf8')) as DivisionTable;
  return table;
}

/** Where the division names come from, for exports and the handbook. */
export function divisionSource(): string {
  return divisions().source;
}

/** The name of a six-digit GB/T 2260 code, e.g. 430104 → 岳麓区; undefined when the table does not know it. */
export function divisionName(code: string): string | undefined {
  return divisions().names[code];
}

/** 430104 → 湖南省长沙市岳麓区: province, city and county names joined, for headings and exports. */
export function divisionFullName(code: string): string | undefined {
  const own = divisionName(code);
  if (!own || !/^\d{6}$/.test(code)) return own;
  const province = divisionName(`${code.slice(0, 2)}0000`);
  const city = divisionName(`${code.slice(0, 4)}00`);
  return [province, city, own].filter((part, i, all) => part && all.indexOf(part) === i).join('');
}
