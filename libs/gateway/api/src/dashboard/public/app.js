import {
  checkCreditCode,
  checkRegistration,
  createEventStreamParser,
  createTranslator,
  formatCount,
  formatDateTime,
  formatRate,
  groupFieldErrors,
  meetsTarget,
  monthlySamples,
  registrationPayload,
} from './lib.js';

const TOKEN_KEY = 'liangxin.dashboard.token';
const LANG_KEY = 'liangxin.dashboard.lang';
const DISTRICT_KEY = 'liangxin.dashboard.district';
const DEFAULT_TARGET = 0.75;
const TREND_MONTHS = 12;
// Projections can move many times a second during a replay; officers need a calm page.
const LIVE_REFRESH_INTERVAL_MS = 2000;

const COLORS = {
  organisational: '#b3261e',
  overall: '#d99a1c',
  work: '#d99a1c',
  none: '#8a8f98',
  target: '#1f6f43',
  belowTarget: '#b3261e',
  meetsTarget: '#1f6f43',
  track: '#eee6de',
};

const state = {
  messages: { zh: {}, en: {} },
  lang: localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh',
  t: createTranslator({}, 'zh'),
  token: localStorage.getItem(TOKEN_KEY) ?? '',
  /** highest position this page wrote: reads wait until projections have it (read your own writes) */
  writePosition: 0,
  /** highest position a projection announced over the live stream */
  livePosition: 0,
  target: DEFAULT_TARGET,
  districts: [],
  district: localStorage.getItem(DISTRICT_KEY) ?? '',
  coverage: null,
  trend: [],
  orgStatus: 'active',
  orgs: [],
  org: null,
  /** the selected district's service requests by status (null: none to show, or not the caller's to see) */
  requests: null,
  /** the district's proposals awaiting approval (GET /api/org-proposals), null when they could not be read */
  proposals: null,
  /** the district's coverage worklist as far as paged in: {total, items, nextCursor}, null when it could not be read */
  worklist: null,
  /** the worklist reason shown ('' for every reason) */
  worklistReason: '',
  orgAudit: [],
  /** the open organisation's tree (GET /api/orgs/{id}/tree), null when it could not be read */
  orgTree: null,
  /** the person looked up in the instructors panel: {personId, caseload, reviews} */
  instructor: null,
  enterprise: null,
  enterpriseAudit: [],
  lastRegistered: null,
  charts: {},
  authProblem: null,
};

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ---------------------------------------------------------------- API client

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, { method = 'GET', body, minPosition = state.writePosition } = {}) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'GET' && minPosition > 0) {
    headers['X-Min-Position'] = String(minPosition);
    // after this page's own write, also what the services did about it (the branch formed, the subsidy paid)
    headers['X-Consistency'] = 'settled';
  }

  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (cause) {
    showNetworkProblem(true);
    throw new ApiError(0, { message: String(cause) });
  }
  showNetworkProblem(false);

  const text = await response.text();
  let payload = null;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = { message: text };
    }
  }
  if (response.status === 401 || response.status === 403) {
    showAuthProblem(response.status);
    throw new ApiError(response.status, payload);
  }
  if (!response.ok) throw new ApiError(response.status, payload);
  if (method !== 'GET' && typeof payload?.position === 'number') {
    state.writePosition = Math.max(state.writePosition, payload.position);
    renderPositions();
  }
  return payload;
}

/** A message an officer understands for a failed request, never a stack trace. */
function describeFailure(error) {
  const { t } = state;
  if (!(error instanceof ApiError)) return t('error.unexpected');
  if (error.status === 0) return t('error.network');
  if (error.status === 401) return t('auth.unauthorised');
  if (error.status === 403) return t('auth.forbidden');
  // a refusal the dashboard can put in the officer's words, by its stable code
  if (typeof error.body?.error === 'string' && t.has(`code.${error.body.error}`)) return t(`code.${error.body.error}`);
  if (error.status === 404) return t('error.notFound');
  if (error.status === 409) return t('error.conflict');
  if (error.status === 504 || error.status === 503) return t('error.unavailable');
  if (error.status >= 500) return t('error.server');
  return reasonText(error.body?.message) || t('error.badRequest');
}

function reasonText(reason) {
  if (reason === undefined || reason === null || reason === '') return '';
  if (Array.isArray(reason)) return reason.map(reasonText).join('；');
  const key = `reason.${reason}`;
  return state.t.has(key) ? state.t(key) : String(reason);
}

// ---------------------------------------------------------------- i18n

function applyTranslations() {
  const { t } = state;
  document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
  for (const node of $$('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of $$('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of $$('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
  for (const node of $$('[data-i18n-aria-label]')) node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  $('#lang-toggle').lang = state.lang === 'en' ? 'zh-CN' : 'en';
  document.title = t('app.title');
}

function setLanguage(lang) {
  state.lang = lang;
  state.t = createTranslator(state.messages, lang);
  localStorage.setItem(LANG_KEY, lang);
  applyTranslations();
  renderAll();
}

// ---------------------------------------------------------------- auth

function showAuthProblem(status) {
  state.authProblem = status;
  renderAuthProblem();
}

function renderAuthProblem() {
  const banner = $('#auth-message');
  if (!state.authProblem) {
    banner.hidden = true;
    return;
  }
  banner.dataset.status = String(state.authProblem);
  $('.banner-text', banner).textContent =
    state.authProblem === 403 ? state.t('auth.forbidden') : state.t('auth.unauthorised');
  banner.hidden = false;
}

function showNetworkProblem(visible) {
  const banner = $('#network-message');
  banner.textContent = state.t('error.network');
  banner.hidden = !visible;
}

function askForToken() {
  const dialog = $('#token-dialog');
  $('#token-input').value = state.token;
  $('#token-error').hidden = true;
  if (!dialog.open) dialog.showModal();
  $('#token-input').focus();
}

function saveToken(event) {
  event.preventDefault();
  const token = $('#token-input').value.trim();
  if (!token) {
    const error = $('#token-error');
    error.textContent = state.t('auth.required');
    error.hidden = false;
    return;
  }
  state.token = token;
  localStorage.setItem(TOKEN_KEY, token);
  state.authProblem = null;
  renderAuthProblem();
  $('#token-dialog').close();
  refreshEverything();
  connectLive();
}

function clearToken() {
  state.token = '';
  localStorage.removeItem(TOKEN_KEY);
  $('#token-input').value = '';
  $('#token-input').focus();
}

// ---------------------------------------------------------------- coverage

async function loadDistricts() {
  const answer = await api('/api/coverage/districts');
  state.districts = answer?.items ?? [];
  if (typeof answer?.target === 'number') state.target = answer.target;
  const known = state.districts.map((d) => d.district);
  if (!known.includes(state.district)) state.district = known[0] ?? '';
  renderDistrictSelect();
  renderDistrictsTable();
  renderDistrictsChart();
}

async function loadCoverage() {
  if (!state.district) {
    state.coverage = null;
    renderCoverage();
    return;
  }
  state.coverage = await api(`/api/coverage?district=${encodeURIComponent(state.district)}`);
  renderCoverage();
}

async function loadTrend() {
  const district = state.district;
  if (!district) {
    state.trend = [];
    renderTrendChart();
    return;
  }
  const samples = monthlySamples(new Date(), TREND_MONTHS);
  const points = await Promise.all(
    samples.map(async (sample) => {
      const query = `district=${encodeURIComponent(district)}&asOf=${encodeURIComponent(sample.asOf)}`;
      const coverage = await api(`/api/coverage?${query}`).catch(() => null);
      return { ...sample, coverage };
    }),
  );
  if (district === state.district) {
    state.trend = points;
    renderTrendChart();
  }
}

function renderDistrictSelect() {
  const select = $('#district-select');
  select.replaceChildren(
    ...state.districts.map((d) =>
      el('option', { value: d.district, selected: d.district === state.district }, state.t.label('district', d.district)),
    ),
  );
  select.disabled = state.districts.length === 0;
}

function renderCoverage() {
  const { t, lang } = state;
  const c = state.coverage;
  const set = (testid, text) => {
    $(`[data-testid="${testid}"]`).textContent = text;
  };
  set('coverage-target', t('coverage.target', { rate: formatRate(state.target, lang) }));
  set('coverage-enterprises', formatCount(c?.enterprises, lang));
  set('coverage-with-members', formatCount(c?.withMembers, lang));
  set('coverage-organisational', formatCount(c?.organisational, lang));
  set('coverage-work', formatCount(c?.work, lang));
  set('coverage-none', formatCount(c?.none, lang));
  set('coverage-org-rate', formatRate(c?.organisationalRate, lang));
  set('coverage-overall-rate', formatRate(c?.overallRate, lang));
  const overall = $('[data-testid="coverage-overall-rate"]');
  overall.dataset.meetsTarget = String(meetsTarget(c?.overallRate, state.target));
  $('#coverage-as-of').textContent = c
    ? t('coverage.asOf', { time: formatDateTime(c.asOf, lang) })
    : state.districts.length === 0
      ? t('coverage.noData')
      : '';
  renderUncoveredLarge();
  renderGauge();
}

function renderUncoveredLarge() {
  const list = $('#uncovered-large-list');
  const codes = state.coverage?.uncoveredLarge ?? [];
  if (codes.length === 0) {
    list.replaceChildren(el('li', { className: 'chip-empty' }, state.t('coverage.uncoveredLargeNone')));
    return;
  }
  list.replaceChildren(
    ...codes.map((code) =>
      el(
        'li',
        {},
        el('button', { type: 'button', className: 'chip mono', dataset: { testid: 'uncovered-code' }, onclick: () => lookUp(code) }, code),
      ),
    ),
  );
}

function renderDistrictsTable() {
  const { lang } = state;
  const rows = state.districts.map((d) =>
    el(
      'tr',
      { dataset: { district: d.district } },
      el('th', { scope: 'row' }, state.t.label('district', d.district)),
      ...[d.enterprises, d.withMembers, d.organisational, d.work, d.none].map((n) => el('td', { className: 'numeric' }, formatCount(n, lang))),
      el('td', { className: 'numeric' }, formatRate(d.organisationalRate, lang)),
      el(
        'td',
        { className: `numeric ${meetsTarget(d.overallRate, state.target) ? 'ok' : 'below'}` },
        formatRate(d.overallRate, lang),
      ),
    ),
  );
  $('#districts-table tbody').replaceChildren(...rows);
}

// ---------------------------------------------------------------- charts (ECharts from /vendor)

function chart(id) {
  if (!window.echarts) return null;
  const node = document.getElementById(id);
  if (!state.charts[id]) {
    state.charts[id] = window.echarts.init(node, null, { renderer: 'svg' });
    new ResizeObserver(() => state.charts[id].resize()).observe(node);
  }
  return state.charts[id];
}

const percentAxis = () => ({
  type: 'value',
  min: 0,
  max: 1,
  axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` },
  splitLine: { lineStyle: { color: '#eee' } },
});

function targetLine() {
  return {
    silent: true,
    symbol: 'none',
    lineStyle: { color: COLORS.target, type: 'dashed', width: 1.5 },
    label: { position: 'insideEndTop', formatter: state.t('chart.targetLine', { rate: formatRate(state.target, state.lang) }), color: COLORS.target },
    data: [{ yAxis: state.target }],
  };
}

function renderGauge() {
  const gauge = chart('coverage-gauge');
  const rate = state.coverage?.overallRate;
  const { t, lang } = state;
  $('#coverage-gauge').setAttribute(
    'aria-label',
    t('chart.gaugeAria', { rate: formatRate(rate, lang), target: formatRate(state.target, lang) }),
  );
  if (!gauge) return;
  const good = meetsTarget(rate, state.target);
  gauge.setOption(
    {
      aria: { enabled: true },
      series: [
        {
          type: 'gauge',
          min: 0,
          max: 100,
          splitNumber: 4,
          startAngle: 210,
          endAngle: -30,
          radius: '92%',
          progress: { show: true, width: 16, itemStyle: { color: good ? COLORS.meetsTarget : COLORS.belowTarget } },
          axisLine: { lineStyle: { width: 16, color: [[state.target, COLORS.track], [1, '#dcefe3']] } },
          axisTick: { show: false },
          splitLine: { length: 8, lineStyle: { color: '#bbb' } },
          axisLabel: { distance: 22, color: '#666', formatter: (v) => (v > 0 && v < 100 && v % 25 === 0 ? `${v}%` : '') },
          pointer: { show: false },
          anchor: { show: false },
          title: { offsetCenter: [0, '62%'], fontSize: 13, color: '#555' },
          detail: {
            offsetCenter: [0, '2%'],
            fontSize: 28,
            fontWeight: 600,
            color: good ? COLORS.meetsTarget : COLORS.belowTarget,
            formatter: () => formatRate(rate, lang),
          },
          data: [{ value: typeof rate === 'number' ? Math.round(rate * 1000) / 10 : 0, name: t('chart.targetShort', { rate: formatRate(state.target, lang) }) }],
        },
      ],
    },
    true,
  );
}

function renderDistrictsChart() {
  const bars = chart('districts-chart');
  const { t } = state;
  $('#districts-chart').setAttribute('aria-label', t('chart.districtsAria'));
  if (!bars) return;
  bars.setOption(
    {
      aria: { enabled: true },
      grid: { left: 48, right: 16, top: 36, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatRate(v, state.lang) },
      xAxis: { type: 'category', data: state.districts.map((d) => t.label('district', d.district)), axisLabel: { interval: 0, rotate: state.districts.length > 8 ? 30 : 0 } },
      yAxis: percentAxis(),
      series: [
        { name: t('coverage.orgRate'), type: 'bar', data: state.districts.map((d) => d.organisationalRate), itemStyle: { color: COLORS.organisational }, barMaxWidth: 28 },
        { name: t('coverage.overallRate'), type: 'bar', data: state.districts.map((d) => d.overallRate), itemStyle: { color: COLORS.overall }, barMaxWidth: 28, markLine: targetLine() },
      ],
    },
    true,
  );
  bars.off('click');
  bars.on('click', (params) => {
    const district = state.districts[params.dataIndex]?.district;
    if (district) selectDistrict(district);
  });
}

function renderTrendChart() {
  const line = chart('trend-chart');
  const { t } = state;
  $('#trend-chart').setAttribute('aria-label', t('chart.trendAria', { district: t.label('district', state.district) }));
  if (!line) return;
  const value = (point, field) => (typeof point.coverage?.[field] === 'number' ? point.coverage[field] : null);
  line.setOption(
    {
      aria: { enabled: true },
      grid: { left: 48, right: 24, top: 36, bottom: 32 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatRate(v, state.lang) },
      xAxis: { type: 'category', boundaryGap: false, data: state.trend.map((p) => p.label) },
      yAxis: percentAxis(),
      series: [
        { name: t('coverage.orgRate'), type: 'line', smooth: true, connectNulls: true, data: state.trend.map((p) => value(p, 'organisationalRate')), itemStyle: { color: COLORS.organisational } },
        { name: t('coverage.overallRate'), type: 'line', smooth: true, connectNulls: true, data: state.trend.map((p) => value(p, 'overallRate')), itemStyle: { color: COLORS.overall }, areaStyle: { opacity: 0.08 }, markLine: targetLine() },
      ],
    },
    true,
  );
}

function selectDistrict(district) {
  state.district = district;
  localStorage.setItem(DISTRICT_KEY, district);
  $('#district-select').value = district;
  state.org = null;
  renderOrgDetail();
  guarded(Promise.all([loadCoverage(), loadTrend(), loadWorklist(), loadOrgs(), loadProposals(), loadRequests()]));
}

// ---------------------------------------------------------------- coverage worklist (覆盖待办清单)

const WORKLIST_REASONS = ['needs-assignee', 'needs-organisation', 'awaiting-joint-members'];
const WORKLIST_PAGE = 50;

function worklistPath(cursor) {
  const query = new URLSearchParams({ district: state.district, limit: String(WORKLIST_PAGE) });
  if (state.worklistReason) query.set('reason', state.worklistReason);
  if (cursor) query.set('cursor', cursor);
  return `/api/coverage/worklist?${query}`;
}

/** the first page again (after a change of district, reason or figures); pages already shown beyond it are dropped */
async function loadWorklist() {
  const district = state.district;
  // an account that may not read the district's worklist simply sees none
  const page = district ? await api(worklistPath()).catch(() => null) : null;
  if (district !== state.district) return;
  state.worklist = page && { total: page.total, items: page.items, nextCursor: page.nextCursor };
  renderWorklist();
}

async function loadMoreWorklist() {
  const list = state.worklist;
  if (!list?.nextCursor) return;
  const page = await api(worklistPath(list.nextCursor));
  if (state.worklist !== list) return;
  state.worklist = { total: page.total, items: [...list.items, ...page.items], nextCursor: page.nextCursor };
  renderWorklist();
}

function renderWorklist() {
  const { t, lang } = state;
  const list = state.worklist;
  const items = list?.items ?? [];
  const rows = items.map((item) =>
    el(
      'tr',
      { dataset: { testid: 'worklist-row', creditCode: item.creditCode, reason: item.reason } },
      el(
        'th',
        { scope: 'row' },
        el('button', { type: 'button', className: 'link', onclick: () => lookUp(item.creditCode) }, item.name),
        el('div', { className: 'mono hint' }, item.creditCode),
      ),
      el('td', {}, WORKLIST_REASONS.includes(item.reason) ? t(`worklistReason.${item.reason}`) : item.reason),
      el('td', { className: 'numeric' }, formatCount(item.employees, lang)),
      el('td', { className: 'numeric' }, `${formatCount(item.fullMembers, lang)} / ${formatCount(item.probationaryMembers, lang)}`),
      el('td', {}, item.assignee ?? t('worklist.nobody')),
    ),
  );
  $('#worklist-table tbody').replaceChildren(...rows);
  $('#worklist-reason').value = state.worklistReason;
  $('#worklist-more').hidden = !list?.nextCursor;
  $('#worklist-summary').textContent = !state.district || !list
    ? ''
    : list.total === 0
      ? t('worklist.none')
      : t('worklist.summary', { total: formatCount(list.total, lang), shown: formatCount(items.length, lang) });
}

// ---------------------------------------------------------------- organisations

async function loadOrgs() {
  if (!state.district) {
    state.orgs = [];
    renderOrgs();
    return;
  }
  const query = `district=${encodeURIComponent(state.district)}&status=${encodeURIComponent(state.orgStatus)}`;
  const answer = await api(`/api/orgs?${query}`);
  state.orgs = answer?.items ?? [];
  renderOrgs();
}

function renderOrgs() {
  const { t, lang } = state;
  const rows = state.orgs.map((org) =>
    el(
      'tr',
      { dataset: { testid: 'org-row', orgId: org.id }, className: state.org?.id === org.id ? 'selected' : undefined },
      el(
        'th',
        { scope: 'row' },
        el('button', { type: 'button', className: 'link', onclick: () => openOrg(org.id) }, org.name ?? org.id),
        org.name ? el('div', { className: 'mono hint' }, org.id) : null,
      ),
      el('td', {}, t.label('mode', org.mode)),
      el('td', {}, t.label('level', org.level)),
      el('td', { title: (org.enterprises ?? []).join(', ') }, t('orgs.enterpriseCount', { count: formatCount((org.enterprises ?? []).length, lang) })),
      el('td', { className: 'numeric', dataset: { testid: 'org-full-members' } }, formatCount(org.fullMembers, lang)),
    ),
  );
  $('#orgs-table tbody').replaceChildren(...rows);
  $('#orgs-empty').hidden = state.orgs.length > 0 || !state.district;
  const members = state.orgs.reduce((sum, org) => sum + (org.fullMembers ?? 0), 0);
  $('#orgs-summary').textContent = state.district
    ? t('orgs.summary', { count: formatCount(state.orgs.length, lang), members: formatCount(members, lang), status: t(`orgStatus.${state.orgStatus}`) })
    : '';
}

// ---------------------------------------------------------------- proposals to form organisations (批复)

const DAY_MS = 86_400_000;

async function loadProposals() {
  // an account that may not read the district's proposals (an enterprise) simply sees none
  state.proposals = state.district
    ? await api(`/api/org-proposals?district=${encodeURIComponent(state.district)}&status=pending`).catch(() => null)
    : null;
  renderProposals();
}

function renderProposals() {
  const { t, lang } = state;
  const items = state.proposals?.items ?? [];
  const rows = items.map((p) => {
    const reason = el('input', {
      type: 'text',
      name: 'reason',
      className: 'input-small',
      placeholder: t('proposals.reasonPlaceholder'),
      'aria-label': t('proposals.reasonPlaceholder'),
      dataset: { testid: 'proposal-reason' },
    });
    const approve = el(
      'button',
      { type: 'button', className: 'button button-primary button-small', dataset: { testid: 'proposal-approve' }, onclick: (e) => decideProposal(e.currentTarget, p.orgId, 'approve', {}) },
      t('proposals.approve'),
    );
    const reject = el(
      'button',
      {
        type: 'button',
        className: 'button button-quiet button-small',
        dataset: { testid: 'proposal-reject' },
        onclick: (e) => {
          const text = reason.value.trim();
          if (!text) return showProposalError(t('proposals.reasonRequired'));
          return decideProposal(e.currentTarget, p.orgId, 'reject', { reason: text });
        },
      },
      t('proposals.reject'),
    );
    const waitingDays = Math.max(0, Math.floor((Date.now() - Date.parse(p.proposedAt)) / DAY_MS));
    return el(
      'tr',
      { dataset: { testid: 'proposal-row', orgId: p.orgId } },
      el('th', { scope: 'row' }, p.name, el('div', { className: 'mono hint' }, p.orgId)),
      el('td', {}, t.label('mode', p.mode)),
      el('td', {}, p.proposedBy),
      el('td', { className: 'numeric' }, formatCount(waitingDays, lang)),
      el('td', {}, el('div', { className: 'proposal-actions' }, approve, reason, reject)),
    );
  });
  $('#proposals-table tbody').replaceChildren(...rows);
  $('#proposals-summary').textContent = !state.district || !state.proposals ? '' : items.length ? t('proposals.summary', { count: formatCount(items.length, lang) }) : t('proposals.none');
}

function showProposalError(text) {
  const slot = $('#proposals-error');
  slot.textContent = text;
  slot.hidden = !text;
}

/** Approves or rejects one proposal, then shows the district as it is after the decision. */
async function decideProposal(button, orgId, decision, body) {
  showProposalError('');
  button.disabled = true;
  try {
    const answer = await api(`/api/org-proposals/${encodeURIComponent(orgId)}/${decision}`, { method: 'POST', body });
    toast(state.t('common.saved', { position: answer?.position ?? '—' }));
    await Promise.all([loadProposals(), loadOrgs()]);
  } catch (error) {
    showProposalError(describeFailure(error));
  } finally {
    button.disabled = false;
  }
}

/** Proposes an organisation in the district shown, for another officer to approve. */
async function submitProposal(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFieldErrors(form);
  if (!state.district) return showFormError(form, state.t('proposals.noDistrict'));
  const values = formValues(form);
  const body = {
    mode: values.mode,
    name: String(values.name ?? '').trim(),
    district: state.district,
    enterprises: String(values.enterprises ?? '')
      .split(/[\s,，、;；]+/)
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean),
    ...(values.level && { level: values.level }),
    ...(String(values.note ?? '').trim() && { note: String(values.note).trim() }),
  };
  if (!body.name) return showFieldErrors(form, 'pp-err-', [{ field: 'name', reason: 'required' }]);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const answer = await api('/api/org-proposals', { method: 'POST', body });
    toast(state.t('common.saved', { position: answer?.position ?? '—' }));
    form.reset();
    await loadProposals();
  } catch (error) {
    showSubmitFailure(form, 'pp-err-', error);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- instructors and liaison cadres

const PERSON_ID = /^[\w.:-]{1,64}$/;

/** Looks a person up: the enterprises they cover now and their annual reviews (none yet is not an error). */
async function lookUpInstructor(rawId) {
  const personId = String(rawId).trim();
  const error = $('#instructor-lookup-error');
  error.hidden = true;
  if (!PERSON_ID.test(personId)) {
    error.textContent = state.t('reason.required');
    error.hidden = false;
    return;
  }
  try {
    const path = `/api/instructors/${encodeURIComponent(personId)}`;
    const [caseload, reviews] = await Promise.all([api(`${path}/caseload`), api(`${path}/reviews`).catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)))]);
    state.instructor = { personId, caseload, reviews };
  } catch (failure) {
    error.textContent = describeFailure(failure);
    error.hidden = false;
    return;
  }
  renderInstructor();
}

function renderInstructor() {
  const { t, lang } = state;
  const person = state.instructor;
  $('#instructor-detail').hidden = !person;
  if (!person) return;
  const name = person.reviews?.name ?? person.personId;
  $('#instructor-caseload').textContent = t('instructors.caseload', { name, count: formatCount(person.caseload?.caseload ?? 0, lang) });
  const reviews = person.reviews?.reviews ?? [];
  $('#instructor-reviews').replaceChildren(
    ...(reviews.length === 0
      ? [el('li', { className: 'timeline-empty' }, t('instructors.none'))]
      : reviews.map((r) =>
          el(
            'li',
            { dataset: { testid: 'instructor-review', year: String(r.year) } },
            t('instructors.reviewLine', { year: r.year, rating: t.label('rating', r.rating), count: formatCount(r.enterprisesCovered, lang), by: r.reviewedBy }),
            ...r.corrections.map((c) => el('div', { className: 'hint' }, t('instructors.corrected', { previous: t.label('rating', c.previousRating), reason: c.reason }))),
          ),
        )),
  );
  const nameInput = $('#ir-name');
  if (!nameInput.value && person.reviews?.name) nameInput.value = person.reviews.name;
}

/** Records the year's review of the person shown, for the district chosen at the top. */
async function submitInstructorReview(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const person = state.instructor;
  if (!person) return;
  clearFieldErrors(form);
  if (!state.district) return showFormError(form, state.t('proposals.noDistrict'));
  const values = formValues(form);
  const body = {
    name: String(values.name ?? '').trim(),
    district: state.district,
    year: Number(values.year),
    rating: values.rating,
    ...(String(values.note ?? '').trim() && { note: String(values.note).trim() }),
  };
  const problems = [
    ...(body.name ? [] : [{ field: 'name', reason: 'required' }]),
    ...(Number.isInteger(body.year) && body.year >= 2000 && body.year <= 2100 ? [] : [{ field: 'year', reason: 'required' }]),
  ];
  if (problems.length) return showFieldErrors(form, 'ir-err-', problems);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const answer = await api(`/api/instructors/${encodeURIComponent(person.personId)}/reviews`, { method: 'POST', body });
    toast(state.t('common.saved', { position: answer?.position ?? '—' }));
    form.reset();
    await lookUpInstructor(person.personId);
  } catch (error) {
    showSubmitFailure(form, 'ir-err-', error);
  } finally {
    button.disabled = false;
  }
}

/** Corrects a year's review of the person shown with a new grade and a reason (the first grade stays in its history). */
async function submitInstructorCorrection(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const person = state.instructor;
  if (!person) return;
  clearFieldErrors(form);
  const values = formValues(form);
  const year = Number(values.year);
  const body = { rating: values.rating, reason: String(values.reason ?? '').trim() };
  const problems = [
    ...(Number.isInteger(year) && year >= 2000 && year <= 2100 ? [] : [{ field: 'year', reason: 'required' }]),
    ...(body.reason ? [] : [{ field: 'reason', reason: 'required' }]),
  ];
  if (problems.length) return showFieldErrors(form, 'ic-err-', problems);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const answer = await api(`/api/instructors/${encodeURIComponent(person.personId)}/reviews/${year}/corrections`, { method: 'POST', body });
    toast(state.t('common.saved', { position: answer?.position ?? '—' }));
    form.reset();
    await lookUpInstructor(person.personId);
  } catch (error) {
    showSubmitFailure(form, 'ic-err-', error);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- service requests

const REQUEST_STATUSES = ['received', 'accepted', 'in_progress', 'resolved', 'confirmed', 'reopened'];

async function loadRequests() {
  // an account that may not read the district's requests simply sees no panel figures
  state.requests = state.district ? await api(`/api/requests/summary?district=${encodeURIComponent(state.district)}`).catch(() => null) : null;
  renderRequests();
}

function renderRequests() {
  const { t, lang } = state;
  const s = state.requests;
  const kpi = (label, value, testid, className = 'kpi') =>
    el('div', { className }, el('span', { className: 'kpi-label' }, label), el('span', { className: 'kpi-value', dataset: { testid } }, formatCount(value, lang)));
  $('#requests-kpis').replaceChildren(
    ...REQUEST_STATUSES.map((status) => kpi(t.label('requestStatus', status), s?.byStatus?.[status], `requests-${status}`)),
    kpi(t('requests.overdue'), s?.overdue, 'requests-overdue', 'kpi kpi-none'),
  );
  $('#requests-summary').textContent = s
    ? t('requests.summary', { submitted: formatCount(s.submitted, lang), closed: formatCount(s.closed, lang), open: formatCount(s.open, lang), overdue: formatCount(s.overdue, lang) })
    : t('requests.none');
}

async function openOrg(id) {
  try {
    const [org, audit, tree] = await Promise.all([
      api(`/api/orgs/${encodeURIComponent(id)}`),
      api(`/api/audit/orgs/${encodeURIComponent(id)}`),
      orgTreeOf(id),
    ]);
    if (state.org?.id !== org?.id) {
      // what was typed for one organisation must not be saved against the next one opened
      const parentForm = $('#org-parent-form');
      parentForm.reset();
      clearFieldErrors(parentForm);
    }
    state.org = org;
    state.orgAudit = audit?.items ?? [];
    state.orgTree = tree;
  } catch (error) {
    toast(describeFailure(error));
    return;
  }
  renderOrgs();
  renderOrgDetail();
  $('#org-detail').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

const ORG_FACTS = ['status', 'mode', 'level', 'district', 'fullMembers', 'probationaryMembers', 'committeeSize', 'secretary', 'instructor', 'parentOrgId', 'stars', 'subsidiesReceivedFen', 'formedAt', 'dissolvedAt'];

function renderOrgDetail() {
  const panel = $('#org-detail');
  const org = state.org;
  panel.hidden = !org;
  if (!org) return;
  const { t, lang } = state;
  $('#org-detail-title').textContent = org.name ? `${org.name}（${org.id}）` : t('orgs.detailTitle', { id: org.id });
  const facts = ORG_FACTS.filter((key) => org[key] !== undefined && org[key] !== null).map((key) => {
    let value = org[key];
    if (key === 'status') value = t.label('orgStatus', value);
    else if (key === 'mode') value = t.label('mode', value);
    else if (key === 'level') value = t.label('level', value);
    else if (key === 'district') value = t.label('district', value);
    else if (key.endsWith('At')) value = formatDateTime(value, lang);
    else if (key === 'stars') value = t('org.starsValue', { stars: '★'.repeat(value.stars), year: value.year, verdict: t(value.passed ? 'org.passed' : 'org.failed') });
    else if (key === 'subsidiesReceivedFen') value = t('org.yuan', { amount: formatCount(value / 100, lang) });
    else if (typeof value === 'number') value = formatCount(value, lang);
    else if (typeof value === 'object') value = displayValue(key, value);
    return [t(`org.${key}`), value];
  });
  const enterprises = el(
    'ul',
    { className: 'chip-list' },
    (org.enterprises ?? []).map((code) => el('li', {}, el('button', { type: 'button', className: 'chip mono', onclick: () => lookUp(code) }, code))),
  );
  $('#org-facts').replaceChildren(...factNodes(facts), el('dt', {}, t('org.enterprises')), el('dd', {}, enterprises));
  renderTimeline($('#org-audit'), state.orgAudit);
  renderOrgTree();
}

/** The tree under an organisation, three levels listed; the page still shows the organisation when it cannot be read. */
const orgTreeOf = (id) => api(`/api/orgs/${encodeURIComponent(id)}/tree?depth=3`).catch(() => null);

function renderOrgTree() {
  const { t, lang } = state;
  const tree = state.orgTree;
  const totals = (sum) =>
    t('tree.totals', {
      orgs: formatCount(sum.organisations, lang),
      members: formatCount(sum.fullMembers + sum.probationaryMembers, lang),
      enterprises: formatCount(sum.enterprises, lang),
      amount: formatCount(sum.subsidiesReceivedFen / 100, lang),
    });
  const node = (n) =>
    el(
      'li',
      { dataset: { org: n.id } },
      n.id === tree.id ? el('strong', {}, n.name) : el('button', { type: 'button', className: 'link', onclick: () => openOrg(n.id) }, n.name),
      n.status === 'dissolved' ? ` (${t.label('orgStatus', n.status)})` : '',
      el('span', { className: 'tree-totals' }, ` ${totals(n.subtree)}`),
      n.truncated ? el('span', { className: 'tree-more' }, ` ${t('tree.more')}`) : '',
      n.children.length > 0 ? el('ul', {}, n.children.map(node)) : null,
    );
  const list = $('#org-tree');
  if (!tree) return list.replaceChildren();
  list.replaceChildren(node(tree), tree.children.length === 0 ? el('li', { className: 'empty' }, t('tree.none')) : null);
}

function factNodes(pairs) {
  return pairs.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]);
}

// ---------------------------------------------------------------- enterprise lookup

async function lookUp(rawCode, { minPosition } = {}) {
  const code = String(rawCode).trim().toUpperCase();
  $('#lookup-code').value = code;
  const error = $('#lookup-error');
  error.hidden = true;
  const check = checkCreditCode(code);
  if (!check.ok) {
    error.textContent = reasonText(check.reason);
    error.hidden = false;
    $('#lookup-code').setAttribute('aria-invalid', 'true');
    return;
  }
  $('#lookup-code').removeAttribute('aria-invalid');
  try {
    const [enterprise, audit] = await Promise.all([
      api(`/api/enterprises/${encodeURIComponent(code)}`, { minPosition }),
      api(`/api/audit/enterprises/${encodeURIComponent(code)}`, { minPosition }),
    ]);
    state.enterprise = enterprise;
    state.enterpriseAudit = audit?.items ?? [];
  } catch (failure) {
    state.enterprise = null;
    error.textContent = failure instanceof ApiError && failure.status === 404 ? state.t('enterprise.notFound', { code }) : describeFailure(failure);
    error.hidden = false;
  }
  renderEnterprise();
  if (state.enterprise) $('#enterprise').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

function renderEnterprise() {
  const panel = $('#enterprise-result');
  const e = state.enterprise;
  panel.hidden = !e;
  if (!e) return;
  const { t, lang } = state;
  $('#enterprise-name').textContent = e.name ?? e.creditCode;
  $('#enterprise-code').textContent = e.creditCode;
  const badge = $('#enterprise-coverage');
  badge.textContent = t.label('coverageKind', e.coverage);
  badge.dataset.coverage = e.coverage ?? 'none';
  badge.className = `badge badge-${e.coverage === 'awaiting-joint' ? 'work' : (e.coverage ?? 'none')}`;
  const reason = $('#enterprise-coverage-reason');
  reason.hidden = !e.coverageReason;
  reason.textContent = e.coverageReason ? t('enterprise.coverageReason', { reason: t.label('coverageReason', e.coverageReason) }) : '';
  const facts = [
    [t('field.district'), t.label('district', e.district)],
    [t('field.employees'), formatCount(e.employees, lang)],
    [t('field.fullMembers'), formatCount(e.fullMembers, lang)],
    [t('field.probationaryMembers'), formatCount(e.probationaryMembers, lang)],
    [t('field.operatingStatus'), t.label('operatingStatus', e.operatingStatus)],
    [t('field.orgMode'), t.label('mode', e.orgMode)],
  ];
  const orgValue = e.orgId
    ? el('button', { type: 'button', className: 'link mono', dataset: { testid: 'enterprise-org' }, onclick: () => openOrgFromEnterprise(e.orgId) }, e.orgId)
    : t('enterprise.noOrg');
  $('#enterprise-facts').replaceChildren(...factNodes(facts), el('dt', {}, t('field.org')), el('dd', {}, orgValue));
  $('#mc-full').value = e.fullMembers ?? '';
  $('#mc-probationary').value = e.probationaryMembers ?? '';
  if (e.operatingStatus) $('#os-status').value = e.operatingStatus;
  renderTimeline($('#enterprise-audit'), state.enterpriseAudit);
}

async function openOrgFromEnterprise(orgId) {
  await openOrg(orgId);
  $('#orgs').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// ---------------------------------------------------------------- audit timeline

const METADATA_SHOWN = ['actor', 'reason', 'policyVersion', 'correlationId'];

function renderTimeline(list, items) {
  const { t, lang } = state;
  if (items.length === 0) {
    list.replaceChildren(el('li', { className: 'timeline-empty' }, t('audit.empty')));
    return;
  }
  const newestFirst = [...items].sort((a, b) => b.position - a.position);
  list.replaceChildren(
    ...newestFirst.map((item) => {
      const data = Object.entries(item.data ?? {}).map(([key, value]) => [t.has(`field.${key}`) ? t(`field.${key}`) : key, displayValue(key, value)]);
      const meta = METADATA_SHOWN.filter((key) => item.metadata?.[key]).map((key) => [t(`meta.${key}`), displayValue(key, item.metadata[key])]);
      return el(
        'li',
        { className: 'timeline-item', dataset: { testid: 'audit-item', type: item.type, position: item.position } },
        el(
          'div',
          { className: 'timeline-head' },
          el('strong', {}, t.label('event', item.type)),
          el('time', { datetime: item.occurredAt }, formatDateTime(item.occurredAt, lang)),
          el('span', { className: 'mono hint', title: t('audit.position') }, `#${item.position}`),
        ),
        data.length ? el('dl', { className: 'facts facts-compact' }, ...factNodes(data)) : null,
        meta.length ? el('dl', { className: 'facts facts-compact facts-meta' }, ...factNodes(meta)) : null,
      );
    }),
  );
}

function displayValue(key, value) {
  const { t, lang } = state;
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'actor' && String(value).startsWith('system:')) return t('meta.system', { service: String(value).slice('system:'.length) });
  if (typeof value === 'boolean') return t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'number') return formatCount(value, lang);
  if (Array.isArray(value)) return value.map((item) => displayValue(key, item)).join('、');
  if (typeof value === 'object') {
    // people ({personId, name}), member enterprises ({creditCode, ...}), corrected ledger fields
    if ('name' in value && 'personId' in value) return String(value.name);
    if ('creditCode' in value) return String(value.creditCode);
    return Object.entries(value)
      .map(([field, inner]) => `${t.has(`field.${field}`) ? t(`field.${field}`) : field}：${displayValue(field, inner)}`)
      .join('；');
  }
  const labelled = LABEL_GROUPS[key];
  if (labelled) return labelled(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value, lang);
  return String(value);
}

const LABEL_GROUPS = {
  kind: (v) => state.t.label('kind', v),
  mode: (v) => state.t.label('mode', v),
  level: (v) => state.t.label('level', v),
  status: (v) => state.t.label('operatingStatus', v),
  previousStatus: (v) => state.t.label('operatingStatus', v),
  operatingStatus: (v) => state.t.label('operatingStatus', v),
  ownership: (v) => state.t.label('ownership', v),
  coveredBy: (v) => state.t.label('coveredBy', v),
  reason: (v) => (state.t.has(`memberReason.${v}`) ? state.t.label('memberReason', v) : state.t.label('coverageReason', v)),
};

// ---------------------------------------------------------------- forms and field errors

function showFieldErrors(form, prefix, details) {
  clearFieldErrors(form);
  const unplaced = [];
  let first = null;
  for (const [field, reasons] of groupFieldErrors(details)) {
    const slot = form.querySelector(`#${prefix}${CSS.escape(field)}`);
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    const text = reasons.map(reasonText).join('；');
    if (!slot) {
      unplaced.push(field ? `${state.t.has(`field.${field}`) ? state.t(`field.${field}`) : field}：${text}` : text);
      continue;
    }
    slot.textContent = text;
    slot.hidden = false;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      first ??= input;
    }
  }
  if (unplaced.length) showFormError(form, unplaced.join('；'));
  first?.focus();
}

function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  showFormError(form, '');
}

function showFormError(form, text) {
  const slot = form.querySelector('.form-error');
  if (!slot) return;
  slot.textContent = text;
  slot.hidden = !text;
}

/** 400 answers carry `details`; other failures become one message for the whole form. */
function showSubmitFailure(form, prefix, error) {
  const details = error instanceof ApiError ? error.body?.details : null;
  if (error instanceof ApiError && error.status === 400 && Array.isArray(details) && details.length) {
    // a rule the service refused by its code is said in the officer's language at the field it names
    const code = error.body?.error;
    const translated = typeof code === 'string' && state.t.has(`code.${code}`) ? state.t(`code.${code}`) : null;
    showFieldErrors(form, prefix, translated ? details.map((d) => ({ field: d.field, reason: translated })) : details);
  } else {
    showFormError(form, describeFailure(error));
  }
}

function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function submitRegistration(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const result = $('#register-result');
  result.hidden = true;
  const payload = registrationPayload(formValues(form));
  const problems = checkRegistration(payload);
  if (problems.length) {
    showFieldErrors(form, 'err-', problems);
    return;
  }
  clearFieldErrors(form);
  const submit = $('#register-submit');
  submit.disabled = true;
  try {
    const answer = await api('/api/enterprises', { method: 'POST', body: payload });
    // what the registration caused (a settled read): the officer sees at once how the enterprise is covered
    const outcome = await api(`/api/enterprises/${encodeURIComponent(answer.creditCode)}`, { minPosition: answer.position }).catch(() => null);
    state.lastRegistered = { ...answer, name: payload.name, outcome };
    renderRegistrationResult();
    form.reset();
    result.hidden = false;
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      showFieldErrors(form, 'err-', [{ field: 'creditCode', reason: 'already-registered' }]);
    } else {
      showSubmitFailure(form, 'err-', error);
    }
  } finally {
    submit.disabled = false;
  }
}

function renderRegistrationResult() {
  const r = state.lastRegistered;
  if (!r) return;
  $('#register-result .success-text').textContent = state.t('register.done', {
    name: r.name,
    code: r.creditCode,
    district: state.t.label('district', r.district),
    position: r.position,
  }) + registrationOutcome(r.outcome);
}

function registrationOutcome(enterprise) {
  const { t } = state;
  if (!enterprise) return '';
  if (enterprise.coverage === 'organisational') return ' ' + t('register.outcomeCovered', { mode: t.label('mode', enterprise.orgMode), org: enterprise.orgId });
  return ' ' + t('register.outcomeNotCovered', { reason: t.label('coverageReason', enterprise.coverageReason ?? 'none') });
}

function hintCreditCode() {
  const input = $('#reg-creditCode');
  const hint = $('#hint-creditCode');
  const value = input.value.trim();
  if (value.length < 18) {
    hint.textContent = state.t('hint.creditCode');
    hint.dataset.state = 'neutral';
    return;
  }
  const check = checkCreditCode(value);
  hint.textContent = check.ok
    ? state.t('hint.creditCodeOk', { district: state.t.label('district', check.district) })
    : reasonText(check.reason);
  hint.dataset.state = check.ok ? 'ok' : 'problem';
}

async function submitMemberCount(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const values = formValues(form);
  const body = {
    fullMembers: values.fullMembers === '' ? Number.NaN : Number(values.fullMembers),
    probationaryMembers: values.probationaryMembers === '' ? Number.NaN : Number(values.probationaryMembers),
    reason: values.reason,
  };
  const problems = ['fullMembers', 'probationaryMembers']
    .filter((field) => !Number.isInteger(body[field]) || body[field] < 0)
    .map((field) => ({ field, reason: 'not-a-non-negative-integer' }));
  if (problems.length) {
    showFieldErrors(form, 'mc-err-', problems);
    return;
  }
  await submitEnterpriseChange(form, 'mc-err-', 'member-count', body);
}

async function submitOperatingStatus(event) {
  event.preventDefault();
  const form = event.currentTarget;
  await submitEnterpriseChange(form, 'os-err-', 'operating-status', { status: formValues(form).status });
}

async function submitEnterpriseChange(form, prefix, path, body) {
  const code = state.enterprise?.creditCode;
  if (!code) return;
  clearFieldErrors(form);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const answer = await api(`/api/enterprises/${encodeURIComponent(code)}/${path}`, { method: 'POST', body });
    toast(state.t('common.saved', { position: answer?.position ?? '—' }));
    await lookUp(code, { minPosition: answer?.position });
  } catch (error) {
    showSubmitFailure(form, prefix, error);
  } finally {
    button.disabled = false;
  }
}

/** Places the open organisation under the parent typed in, or detaches it when the field is left empty. */
async function submitOrgParent(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const id = state.org?.id;
  if (!id) return;
  const values = formValues(form);
  const body = { parentOrgId: String(values.parentOrgId ?? '').trim() || null, reason: String(values.reason ?? '').trim() };
  if (!body.reason) {
    showFieldErrors(form, 'op-err-', [{ field: 'reason', reason: 'required' }]);
    return;
  }
  clearFieldErrors(form);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const answer = await api(`/api/orgs/${encodeURIComponent(id)}/parent`, { method: 'POST', body });
    toast(state.t('common.saved', { position: answer?.position ?? '—' }));
    form.reset();
    await openOrg(id);
  } catch (error) {
    showSubmitFailure(form, 'op-err-', error);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- live refresh (server-sent events over fetch)

let liveController = null;
let liveRetryDelay = 1000;
let refreshTimer = null;
let lastLiveRefresh = 0;

function setLiveState(liveState) {
  const node = $('#live-status');
  node.dataset.state = liveState;
  $('.live-text', node).textContent = state.t(`live.${liveState}`);
  const text = $('.live-text', node);
  text.dataset.i18n = `live.${liveState}`;
}

async function connectLive() {
  liveController?.abort();
  if (!state.token) {
    setLiveState('offline');
    return;
  }
  const controller = new AbortController();
  liveController = controller;
  setLiveState('connecting');
  try {
    const response = await fetch('/api/events/stream', {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${state.token}` },
      signal: controller.signal,
    });
    if (response.status === 401 || response.status === 403) {
      showAuthProblem(response.status);
      setLiveState('offline');
      return;
    }
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    setLiveState('live');
    liveRetryDelay = 1000;
    const parser = createEventStreamParser(onLiveEvent);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
  } catch (error) {
    if (controller.signal.aborted) return;
  }
  if (controller !== liveController) return;
  setLiveState('reconnecting');
  setTimeout(() => controller === liveController && connectLive(), liveRetryDelay);
  liveRetryDelay = Math.min(liveRetryDelay * 2, 30000);
}

function onLiveEvent(message) {
  if (message.event !== 'projection') return;
  let update;
  try {
    update = JSON.parse(message.data);
  } catch {
    return;
  }
  if (typeof update?.position === 'number' && update.position > state.livePosition) {
    state.livePosition = update.position;
    renderPositions();
    scheduleLiveRefresh();
  }
}

function scheduleLiveRefresh() {
  if (refreshTimer) return;
  const wait = Math.max(0, lastLiveRefresh + LIVE_REFRESH_INTERVAL_MS - Date.now());
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    lastLiveRefresh = Date.now();
    refreshVisibleData();
  }, wait);
}

/** What a projection update can change on screen; the 12-month trend only moves at its last point. */
function refreshVisibleData() {
  const work = [loadDistricts().then(loadCoverage), loadOrgs(), loadProposals(), loadRequests(), refreshCurrentMonth()];
  // the worklist's first page follows the figures; pages an officer loaded beyond it stay until they change district
  if ((state.worklist?.items.length ?? 0) <= WORKLIST_PAGE) work.push(loadWorklist());
  if (state.enterprise) work.push(lookUpQuietly(state.enterprise.creditCode));
  if (state.org) work.push(refreshOrgQuietly(state.org.id));
  guarded(Promise.all(work));
}

async function refreshCurrentMonth() {
  if (!state.district || state.trend.length === 0) return;
  const latest = state.trend[state.trend.length - 1];
  const asOf = new Date().toISOString();
  const coverage = await api(`/api/coverage?district=${encodeURIComponent(state.district)}&asOf=${encodeURIComponent(asOf)}`);
  state.trend = [...state.trend.slice(0, -1), { ...latest, asOf, coverage }];
  renderTrendChart();
}

async function lookUpQuietly(code) {
  const [enterprise, audit] = await Promise.all([
    api(`/api/enterprises/${encodeURIComponent(code)}`),
    api(`/api/audit/enterprises/${encodeURIComponent(code)}`),
  ]);
  if (state.enterprise?.creditCode !== code) return;
  state.enterprise = enterprise;
  state.enterpriseAudit = audit?.items ?? [];
  renderEnterprise();
}

async function refreshOrgQuietly(id) {
  const [org, audit, tree] = await Promise.all([api(`/api/orgs/${encodeURIComponent(id)}`), api(`/api/audit/orgs/${encodeURIComponent(id)}`), orgTreeOf(id)]);
  if (state.org?.id !== id) return;
  state.org = org;
  state.orgAudit = audit?.items ?? [];
  state.orgTree = tree;
  renderOrgDetail();
}

function renderPositions() {
  const position = Math.max(state.livePosition, state.writePosition);
  $('#last-position').textContent = position > 0 ? state.t('footer.position', { position }) : '';
}

// ---------------------------------------------------------------- glue

let toastTimer = null;
function toast(text) {
  const node = $('#toast');
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 5000);
}

/** Failed background loads show one message instead of breaking the page. */
function guarded(promise) {
  return promise.catch((error) => {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403 || error.status === 0)) return;
    toast(describeFailure(error));
  });
}

function refreshEverything() {
  return guarded(
    loadDistricts()
      .then(() => Promise.all([loadCoverage(), loadTrend(), loadWorklist(), loadOrgs(), loadProposals(), loadRequests()]))
      .then(() => (state.enterprise ? lookUpQuietly(state.enterprise.creditCode) : undefined)),
  );
}

function renderAll() {
  renderAuthProblem();
  renderDistrictSelect();
  renderCoverage();
  renderDistrictsTable();
  renderDistrictsChart();
  renderTrendChart();
  renderWorklist();
  renderOrgs();
  renderOrgDetail();
  renderProposals();
  renderInstructor();
  renderRequests();
  renderEnterprise();
  renderRegistrationResult();
  renderPositions();
  hintCreditCode();
  setLiveState($('#live-status').dataset.state);
  showNetworkProblem(!$('#network-message').hidden);
}

function wireEvents() {
  $('#lang-toggle').addEventListener('click', () => setLanguage(state.lang === 'zh' ? 'en' : 'zh'));
  $('#token-button').addEventListener('click', askForToken);
  $('#auth-message-action').addEventListener('click', askForToken);
  $('#token-form').addEventListener('submit', saveToken);
  $('#token-clear').addEventListener('click', clearToken);
  $('#district-select').addEventListener('change', (e) => selectDistrict(e.target.value));
  $('#worklist-reason').addEventListener('change', (e) => {
    state.worklistReason = e.target.value;
    guarded(loadWorklist());
  });
  $('#worklist-more').addEventListener('click', () => guarded(loadMoreWorklist()));
  $('#orgs-status').addEventListener('change', (e) => {
    state.orgStatus = e.target.value;
    state.org = null;
    renderOrgDetail();
    guarded(loadOrgs());
  });
  $('#org-detail-close').addEventListener('click', () => {
    state.org = null;
    renderOrgDetail();
    renderOrgs();
  });
  $('#lookup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    lookUp($('#lookup-code').value);
  });
  $('#register-form').addEventListener('submit', submitRegistration);
  $('#register-form').addEventListener('reset', (e) => {
    clearFieldErrors(e.currentTarget);
    queueMicrotask(hintCreditCode);
  });
  $('#reg-creditCode').addEventListener('input', hintCreditCode);
  $('#register-view').addEventListener('click', () => {
    const r = state.lastRegistered;
    if (r) lookUp(r.creditCode, { minPosition: r.position });
  });
  $('#member-count-form').addEventListener('submit', submitMemberCount);
  $('#operating-status-form').addEventListener('submit', submitOperatingStatus);
  $('#org-parent-form').addEventListener('submit', submitOrgParent);
  $('#proposal-form').addEventListener('submit', submitProposal);
  $('#instructor-lookup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    lookUpInstructor($('#instructor-id').value);
  });
  $('#instructor-review-form').addEventListener('submit', submitInstructorReview);
  $('#ic-rating').replaceChildren(...[...$('#ir-rating').options].map((option) => option.cloneNode(true)));
  $('#instructor-correction-form').addEventListener('submit', submitInstructorCorrection);
}

async function start() {
  const response = await fetch(new URL('./i18n.json', import.meta.url));
  state.messages = await response.json();
  state.t = createTranslator(state.messages, state.lang);
  applyTranslations();
  wireEvents();
  renderAll();
  if (!state.token) {
    askForToken();
    return;
  }
  refreshEverything();
  connectLive();
}

start();
