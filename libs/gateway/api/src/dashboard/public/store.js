// @ts-check
// The few facts every panel shares (language, token, district, positions). Each panel keeps
// its own data in its module; it hears of shared changes through `subscribe`.
import { createTranslator } from './lib.js';

const TOKEN_KEY = 'liangxin.dashboard.token';
const LANG_KEY = 'liangxin.dashboard.lang';
const DISTRICT_KEY = 'liangxin.dashboard.district';

/** @typedef {((key: string, params?: Record<string, unknown>) => string) & { label(group: string, value: unknown): string, has(key: string): boolean }} Translator */

/**
 * @typedef {object} SharedState
 * @property {{ zh: Record<string, string>, en: Record<string, string> }} messages
 * @property {'zh' | 'en'} lang
 * @property {Translator} t
 * @property {string} token
 * @property {number} writePosition highest position this page wrote: reads wait until projections have it
 * @property {number} livePosition highest position a projection announced over the live stream
 * @property {number} target coverage target rate
 * @property {Array<Record<string, any>>} districts
 * @property {string} district the district shown
 * @property {number | null} authProblem 401 or 403 when the API refused the token
 */

/** @type {SharedState} */
const state = {
  messages: { zh: {}, en: {} },
  lang: localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh',
  t: /** @type {Translator} */ (createTranslator({}, 'zh')),
  token: localStorage.getItem(TOKEN_KEY) ?? '',
  writePosition: 0,
  livePosition: 0,
  target: 0.75,
  districts: [],
  district: localStorage.getItem(DISTRICT_KEY) ?? '',
  authProblem: null,
};

/** @type {Set<(changed: Array<keyof SharedState>) => void>} */
const listeners = new Set();

/** @returns {Readonly<SharedState>} */
export function shared() {
  return state;
}

/**
 * Changes shared facts and tells every subscriber which ones changed (nothing when nothing did).
 * @param {Partial<SharedState>} patch
 */
export function update(patch) {
  const keys = /** @type {Array<keyof SharedState>} */ (Object.keys(patch));
  const changed = keys.filter((key) => state[key] !== patch[key]);
  if (changed.length === 0) return;
  Object.assign(state, patch);
  if (changed.includes('messages') || changed.includes('lang')) state.t = /** @type {Translator} */ (createTranslator(state.messages, state.lang));
  if ('lang' in patch) localStorage.setItem(LANG_KEY, state.lang);
  if ('district' in patch) localStorage.setItem(DISTRICT_KEY, state.district);
  if ('token' in patch) {
    if (state.token) localStorage.setItem(TOKEN_KEY, state.token);
    else localStorage.removeItem(TOKEN_KEY);
  }
  for (const listener of listeners) listener(changed);
}

/**
 * @param {(changed: Array<keyof SharedState>) => void} listener
 * @returns {() => void} unsubscribes
 */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** What the token says of its holder (role, districts, creditCode); the server stays the judge. */
export function tokenClaims() {
  const parts = state.token.split('.');
  if (parts.length !== 3) return state.token ? { role: 'admin' } : {};
  try {
    return JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}
