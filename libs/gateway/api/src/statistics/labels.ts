import type { FormationMode, Ownership } from '@liangxin/contracts';

/** Chinese names of the formation modes, as the seeds print them (000's twelve ways plus 区域统建). */
export const MODE_NAMES: Record<FormationMode, string> = {
  standalone: '单独组建',
  joint: '联合组建',
  'industry-chain-joint': '链上联建',
  'leading-enterprise-led': '龙头领建',
  'branch-led': '支部带建',
  'platform-unified': '平台统建',
  'building-shared': '楼宇共建',
  'area-combined': '区域合建',
  'archive-custody': '托档管建',
  'dispatched-staff': '派员帮建',
  'mass-organisation-promoted': '群团促建',
  backstop: '兜底承建',
  'area-unified': '区域统建',
};

export const OWNERSHIP_NAMES: Record<Ownership, string> = {
  'domestic-private': '内资民营',
  foreign: '外资',
  'hong-kong-macao-taiwan': '港澳台资',
  'social-organisation': '社会组织',
};

export const modeName = (mode: string): string => (MODE_NAMES as Record<string, string>)[mode] ?? mode;
export const ownershipName = (ownership: string): string => (OWNERSHIP_NAMES as Record<string, string>)[ownership] ?? ownership;

/** China Standard Time is UTC+8 all year: years and due dates are Chinese calendar ones. */
export const chinaDate = (instant: string): string => new Date(Date.parse(instant) + 8 * 3600_000).toISOString().slice(0, 10);
export const chinaYear = (instant: string): number => Number(chinaDate(instant).slice(0, 4));
