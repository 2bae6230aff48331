// @ts-check
// 服务需求: the district's requests by status, the list, and handling one: accept (owner and due
// date), start, resolve; the enterprise confirms or reopens it from its own page.
import { api, enc } from '../api.js';
import { $, buildForm, el, factNodes, formValues, loadInto, placeForms, renderTimeline, showFieldErrors, submitForm } from '../dom.js';
import { formatCount, formatDateTime } from '../lib.js';
import { createPagedList } from '../paging.js';
import { shared } from '../store.js';
import { lookUp } from './enterprise.js';

export const REQUEST_STATUSES = ['received', 'accepted', 'in_progress', 'resolved', 'confirmed', 'reopened'];
export const REQUEST_CATEGORIES = ['financing', 'hiring', 'market-access', 'safety', 'land', 'policy', 'other'];

const local = {
  /** @type {Record<string, any> | null} the district's counts; null when not read */
  summary: null,
  status: '',
  /** @type {Record<string, any> | null} the request opened */
  request: null,
  /** @type {Array<Record<string, any>>} */
  audit: [],
  loaded: false,
};

const list = createPagedList((cursor, limit) => {
  const query = new URLSearchParams({ district: shared().district, limit: String(limit) });
  if (local.status) query.set('status', local.status);
  if (cursor) query.set('cursor', cursor);
  return `/api/requests?${query}`;
});

async function load() {
  const { district } = shared();
  local.loaded = false;
  if (!district) {
    local.summary = null;
    list.clear();
    return render();
  }
  const [summary] = await Promise.all([api(`/api/requests/summary?district=${enc(district)}`), list.first()]);
  local.summary = summary;
  local.loaded = true;
  render();
}

async function refresh() {
  await load();
  if (local.request) await openRequest(local.request.requestId, { quiet: true });
}

function renderKpis() {
  const { t, lang } = shared();
  const s = local.summary;
  /** @param {string} label @param {unknown} value @param {string} testid @param {string} [className] */
  const kpi = (label, value, testid, className = 'kpi') => el('div', { className }, el('span', { className: 'kpi-label' }, label), el('span', { className: 'kpi-value', dataset: { testid } }, formatCount(value, lang)));
  $('#requests-kpis').replaceChildren(
    ...REQUEST_STATUSES.map((status) => kpi(t.label('requestStatus', status), s?.byStatus?.[status], `requests-${status}`)),
    kpi(t('requests.overdue'), s?.overdue, 'requests-overdue', 'kpi kpi-none'),
  );
  $('#requests-summary').textContent = s
    ? t('requests.summary', { submitted: formatCount(s.submitted, lang), closed: formatCount(s.closed, lang), open: formatCount(s.open, lang), overdue: formatCount(s.overdue, lang) })
    : t('requests.none');
}

/** @param {Record<string, any>} r */
const isOverdue = (r) => ['received', 'accepted', 'in_progress', 'reopened'].includes(r.status) && r.dueDate && r.dueDate < new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

function renderList() {
  const { t, lang } = shared();
  const view = list.view();
  $('#requests-table tbody').replaceChildren(
    ...view.items.map((/** @type {any} */ r) =>
      el(
        'tr',
        { dataset: { testid: 'request-row', requestId: r.requestId, status: r.status }, className: local.request?.requestId === r.requestId ? 'selected' : undefined },
        el('th', { scope: 'row' }, el('button', { type: 'button', className: 'link', dataset: { testid: 'request-open' }, onclick: () => loadInto('requests', () => openRequest(r.requestId)) }, t.label('requestCategory', r.category)), el('div', { className: 'hint' }, r.description.slice(0, 60))),
        el('td', { className: 'mono' }, r.creditCode),
        el('td', {}, el('span', { className: `badge badge-status-${r.status}` }, t.label('requestStatus', r.status)), isOverdue(r) ? el('span', { className: 'badge badge-none', dataset: { testid: 'request-overdue' } }, t('requests.overdue')) : null),
        el('td', {}, r.dueDate ?? '—'),
        el('td', {}, formatDateTime(r.submittedAt, lang)),
      ),
    ),
  );
  $('#requests-more').hidden = !view.hasMore;
  $('#requests-status').value = local.status;
  $('#requests-list-summary').textContent = local.loaded ? (view.total === 0 ? t('requests.listNone') : t('requests.listSummary', { total: formatCount(view.total, lang), shown: formatCount(view.items.length, lang) })) : '';
}

/**
 * @param {string} requestId
 * @param {{ quiet?: boolean }} [options]
 */
async function openRequest(requestId, { quiet = false } = {}) {
  const [request, audit] = await Promise.all([api(`/api/requests/${enc(requestId)}`), api(`/api/audit/requests/${enc(requestId)}`).catch(() => ({ items: [] }))]);
  local.request = request;
  local.audit = audit?.items ?? [];
  renderList();
  renderDetail();
  if (!quiet) $('#request-detail').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

/**
 * Sends one step of the request's handling and shows it as it is after.
 * @param {HTMLFormElement} form
 * @param {string} errPrefix
 * @param {string} step
 * @param {object} body
 */
async function step(form, errPrefix, step, body) {
  const id = local.request?.requestId;
  if (!id) return;
  const answer = await submitForm(form, errPrefix, () => api(`/api/requests/${enc(id)}/${step}`, { method: 'POST', body }));
  if (!answer) return;
  await loadInto('requests', () => Promise.all([load(), openRequest(id, { quiet: true })]));
}

/** A date `days` after today in China (due dates are Chinese calendar dates). */
const chinaDatePlus = (/** @type {number} */ days) => new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

function actionsFor(/** @type {Record<string, any>} */ r) {
  const { t } = shared();
  if (r.status === 'received') {
    return buildForm({
      id: 'request-accept-form',
      prefix: 'ra-',
      legend: 'requests.acceptLegend',
      submit: 'requests.accept',
      fields: [
        { name: 'ownerKind', label: 'requests.ownerKind', type: 'select', options: [['service-group', t.label('ownerKind', 'service-group')], ['instructor', t.label('ownerKind', 'instructor')]] },
        { name: 'ownerId', label: 'requests.ownerId', required: true },
        { name: 'ownerName', label: 'requests.ownerName', required: true },
        { name: 'dueDate', label: 'requests.dueDate', type: 'date', value: chinaDatePlus(15), required: true },
      ],
      onsubmit: (form) => {
        const v = formValues(form);
        const problems = ['ownerId', 'ownerName', 'dueDate'].filter((f) => !v[f]?.trim()).map((field) => ({ field, reason: 'required' }));
        if (problems.length) return showFieldErrors(form, 'ra-err-', problems);
        step(form, 'ra-err-', 'accept', { owner: { kind: v.ownerKind, id: v.ownerId.trim(), name: v.ownerName.trim() }, dueDate: v.dueDate });
      },
    });
  }
  if (r.status === 'accepted' || r.status === 'reopened') {
    return buildForm({ id: 'request-start-form', prefix: 'rs-', legend: 'requests.startLegend', submit: 'requests.start', fields: [], onsubmit: (form) => step(form, 'rs-err-', 'start', {}) });
  }
  if (r.status === 'in_progress') {
    return buildForm({
      id: 'request-resolve-form',
      prefix: 'rr-',
      legend: 'requests.resolveLegend',
      submit: 'requests.resolve',
      fields: [{ name: 'resolution', label: 'requests.resolution', type: 'textarea', required: true }],
      onsubmit: (form) => {
        const resolution = formValues(form).resolution?.trim();
        if (!resolution) return showFieldErrors(form, 'rr-err-', [{ field: 'resolution', reason: 'required' }]);
        step(form, 'rr-err-', 'resolve', { resolution });
      },
    });
  }
  if (r.status === 'resolved') return el('p', { className: 'hint', dataset: { testid: 'request-waiting-enterprise' } }, t('requests.waitingEnterprise'));
  return el('p', { className: 'hint' }, t('requests.closed'));
}

function renderDetail() {
  const panel = $('#request-detail');
  const r = local.request;
  panel.hidden = !r;
  if (!r) return;
  const { t, lang } = shared();
  $('#request-detail-title').textContent = `${t.label('requestCategory', r.category)}（${r.requestId}）`;
  /** @type {Array<[string, any]>} */
  const facts = [
    [t('requests.status'), el('span', { dataset: { testid: 'request-status' } }, t.label('requestStatus', r.status))],
    [t('field.creditCode'), el('button', { type: 'button', className: 'link mono', onclick: () => lookUp(r.creditCode) }, r.creditCode)],
    [t('requests.description'), r.description],
    [t('requests.submittedAt'), formatDateTime(r.submittedAt, lang)],
    [t('requests.owner'), r.owner ? `${r.owner.name}（${t.label('ownerKind', r.owner.kind)}）` : '—'],
    [t('requests.dueDate'), r.dueDate ? `${r.dueDate}${r.overdue ? ` · ${t('requests.overdue')}` : ''}` : '—'],
    [t('requests.resolution'), r.resolution ?? '—'],
  ];
  if (r.reopenReason) facts.push([t('requests.reopenReason'), r.reopenReason]);
  if (r.timesReopened) facts.push([t('requests.timesReopened'), formatCount(r.timesReopened, lang)]);
  $('#request-facts').replaceChildren(...factNodes(facts));
  placeForms($('#request-actions'), `${r.requestId}|${r.status}`, () => actionsFor(r));
  renderTimeline($('#request-audit'), local.audit);
}

function render() {
  renderKpis();
  renderList();
  renderDetail();
}

/** @type {import('../panel.js').Panel} */
export const requestsPanel = {
  id: 'requests',
  load() {
    local.request = null;
    return load();
  },
  refresh,
  render,
  wire() {
    $('#requests-status').addEventListener('change', (/** @type {Event} */ e) => {
      local.status = /** @type {HTMLSelectElement} */ (e.target).value;
      loadInto('requests', load);
    });
    $('#requests-more').addEventListener('click', () => loadInto('requests', () => list.more().then(renderList)));
    $('#request-detail-close').addEventListener('click', () => {
      local.request = null;
      render();
    });
  },
};

/** The district's overdue count (for the notifications); 0 until read. */
export const overdueCount = () => local.summary?.overdue ?? 0;
