// @ts-check
// Pure helpers of the officers' dashboard: no DOM, no network, so they can be
// checked outside the browser (see dashboard.spec.ts).

/** GB 32100: the 31 characters a unified social credit code may use, in value order. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * Client-side hint only: the server stays the judge. The reason codes are those of
 * `creditCodeProblem` in @liangxin/contracts (the spec checks they agree), so the page
 * shows the same i18n message whichever side found the problem.
 */
export function checkCreditCode(raw) {
  const code = String(raw ?? '').trim().toUpperCase();
  if (code.length === 0) return { ok: false, code, reason: 'required' };
  if (code.length !== 18) return { ok: false, code, reason: 'wrong-length' };
  const values = [...code].map((c) => CREDIT_CODE_ALPHABET.indexOf(c));
  if (values.some((v) => v < 0)) return { ok: false, code, reason: 'bad-character' };
  if (!/^\d{6}$/.test(code.slice(2, 8))) return { ok: false, code, reason: 'bad-division' };
  const sum = CREDIT_CODE_WEIGHTS.reduce((acc, weight, i) => acc + weight * values[i], 0);
  const check = (31 - (sum % 31)) % 31;
  if (values[17] !== check) {
    return { ok: false, code, reason: 'bad-check-character', expected: CREDIT_CODE_ALPHABET[check] };
  }
  return { ok: true, code, district: code.slice(2, 8) };
}

/** `t('coverage.kind.work')`, with `{name}` placeholders; falls back to Chinese, then to the key. */
export function createTranslator(messages, lang) {
  const table = messages[lang] ?? {};
  const fallback = messages.zh ?? {};
  const t = (key, params = {}) => {
    const template = table[key] ?? fallback[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  };
  /** a label for a value sent by the server (mode, level, event type…), or the value itself when unknown */
  t.label = (group, value) => {
    if (value === undefined || value === null || value === '') return '—';
    const key = `${group}.${value}`;
    return table[key] ?? fallback[key] ?? String(value);
  };
  t.has = (key) => key in table || key in fallback;
  return t;
}

export function localeOf(lang) {
  return lang === 'en' ? 'en-GB' : 'zh-CN';
}

export function formatRate(rate, lang) {
  if (typeof rate !== 'number' || Number.isNaN(rate)) return '—';
  return new Intl.NumberFormat(localeOf(lang), {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(rate);
}

export function formatCount(value, lang) {
  if (typeof value !== 'number' || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(localeOf(lang)).format(value);
}

export function formatDateTime(iso, lang) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '—');
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/**
 * The instants a coverage trend is sampled at: the end of each of the `count - 1`
 * previous months, then `now`. Oldest first; `label` is the month, `asOf` ISO-8601 (UTC).
 */
export function monthlySamples(now, count = 12) {
  const samples = [];
  for (let back = count - 1; back >= 1; back--) {
    const endOfMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back + 1, 1) - 1);
    samples.push({ label: monthLabel(endOfMonth), asOf: endOfMonth.toISOString() });
  }
  samples.push({ label: monthLabel(now), asOf: now.toISOString() });
  return samples;
}

function monthLabel(date) {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Incremental text/event-stream parser. EventSource cannot send an Authorization
 * header, so the page reads the stream with fetch and feeds the chunks here.
 */
export function createEventStreamParser(onEvent) {
  let buffer = '';
  let eventName = '';
  let dataLines = [];
  let lastEventId = '';

  const dispatch = () => {
    if (dataLines.length > 0) {
      onEvent({ event: eventName || 'message', data: dataLines.join('\n'), id: lastEventId });
    }
    eventName = '';
    dataLines = [];
  };

  const processLine = (line) => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return undefined; // comment, used as keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') dataLines.push(value);
    else if (field === 'id') lastEventId = value;
    return undefined;
  };

  return {
    push(chunk) {
      buffer += chunk;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      lines.forEach(processLine);
    },
  };
}

/** `details: [{field, reason}]` of a 400 answer, grouped by field (several reasons may hit one field). */
export function groupFieldErrors(details) {
  const byField = new Map();
  for (const detail of Array.isArray(details) ? details : []) {
    const field = detail?.field ?? '';
    const reasons = byField.get(field) ?? [];
    reasons.push(String(detail?.reason ?? ''));
    byField.set(field, reasons);
  }
  return byField;
}

/** The registration form as the API expects it: numbers as numbers, blank optional fields left out. */
export function registrationPayload(formValues) {
  const payload = {
    creditCode: String(formValues.creditCode ?? '').trim().toUpperCase(),
    name: String(formValues.name ?? '').trim(),
    kind: formValues.kind,
    employees: toCount(formValues.employees),
    fullMembers: toCount(formValues.fullMembers),
    probationaryMembers: toCount(formValues.probationaryMembers),
  };
  for (const optional of ['industryChain', 'park', 'building', 'ownership']) {
    const value = String(formValues[optional] ?? '').trim();
    if (value !== '') payload[optional] = value;
  }
  return payload;
}

function toCount(raw) {
  const text = String(raw ?? '').trim();
  return text === '' ? Number.NaN : Number(text);
}

/** Hints the page gives before sending; the server answers the same reason codes. */
export function checkRegistration(payload) {
  const problems = [];
  const code = checkCreditCode(payload.creditCode);
  if (!code.ok) problems.push({ field: 'creditCode', reason: code.reason });
  if (payload.name === '') problems.push({ field: 'name', reason: 'required' });
  if (payload.kind !== 'enterprise' && payload.kind !== 'social-organisation') {
    problems.push({ field: 'kind', reason: 'required' });
  }
  for (const field of ['employees', 'fullMembers', 'probationaryMembers']) {
    if (!Number.isInteger(payload[field]) || payload[field] < 0) {
      problems.push({ field, reason: 'not-a-non-negative-integer' });
    }
  }
  return problems;
}

export function meetsTarget(rate, target) {
  return typeof rate === 'number' && rate >= target;
}

/**
 * The dissolution the rules left pending on an organisation, read from its audit trail (oldest or
 * newest first, either): the last pending that no cancellation or dissolution followed, or null.
 */
export function pendingDissolution(auditItems) {
  const relevant = (Array.isArray(auditItems) ? auditItems : [])
    .filter((item) => ['OrgDissolutionPending', 'OrgDissolutionCancelled', 'OrgDissolved'].includes(item?.type))
    .sort((a, b) => a.position - b.position);
  const last = relevant[relevant.length - 1];
  if (!last || last.type !== 'OrgDissolutionPending') return null;
  return { creditCode: last.data?.creditCode ?? null, since: last.data?.since ?? null, confirmableFrom: last.data?.confirmableFrom ?? null };
}

/** An organisation holding enterprises with fewer full members than a branch needs (3, the regulation). */
export const MINIMUM_FULL_MEMBERS = 3;

export function isBelowThreshold(org) {
  return org?.status !== 'dissolved' && Array.isArray(org?.enterprises) && org.enterprises.length > 0 && typeof org.fullMembers === 'number' && org.fullMembers < MINIMUM_FULL_MEMBERS;
}

/**
 * What the officer should hear about, from the district's figures: overdue requests, proposals
 * waiting for approval, organisations below the threshold. Compared with what was said before,
 * `fresh` holds the kinds that grew (so the page announces only news).
 */
export function notificationsOf({ overdue, pendingProposals, belowThreshold }, previous) {
  const items = [];
  if (overdue > 0) items.push({ kind: 'overdue', count: overdue });
  if (pendingProposals > 0) items.push({ kind: 'proposals', count: pendingProposals });
  if (belowThreshold.length > 0) items.push({ kind: 'below-threshold', count: belowThreshold.length, orgs: belowThreshold });
  const before = new Map((previous ?? []).map((item) => [item.kind, item.count]));
  const fresh = previous ? items.filter((item) => item.count > (before.get(item.kind) ?? 0)).map((item) => item.kind) : [];
  return { items, fresh };
}

/** "organisation-life=80, role-played 70" (one per line or comma) → {"organisation-life": 80, "role-played": 70}; problems name the line. */
export function parseScores(text) {
  const scores = {};
  const problems = [];
  for (const part of String(text ?? '').split(/[\n,，;；]+/).map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9][a-z0-9-]{0,63})\s*[=:：\s]\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!match || Number(match[2]) > 100) problems.push(part);
    else scores[match[1]] = Number(match[2]);
  }
  return { scores, problems };
}

/** Yuan typed by an officer ("1 200.50", "1200") as whole fen, or NaN. */
export function yuanToFen(text) {
  const cleaned = String(text ?? '').replace(/[\s,，]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return Number.NaN;
  return Math.round(Number(cleaned) * 100);
}
