// @ts-check
// 经费: the district's budgets (allocated, used, left), allocating one, and an organisation's grants
// with the events that justify each; a grant is paid only with at least one justifying event.
import { api, ApiError, describeFailure, enc } from '../api.js';
import { $, buildForm, el, formValues, loadInto, placeForms, showFieldErrors, submitForm, yuan } from '../dom.js';
import { formatCount, formatDateTime, yuanToFen } from '../lib.js';
import { createPagedList } from '../paging.js';
import { shared } from '../store.js';

const SUBSIDY_ITEMS = ['formation', 'venue_construction', 'secretary_post', 'operating_funds', 'member_activity', 'party_worker_allowance', 'party_dues_returned'];
/** items whose amount policy fixes: the officer does not type one */
const FIXED_AMOUNT = new Set(['formation', 'venue_construction', 'secretary_post']);

const local = {
  /** @type {string | null} */
  orgId: null,
  /** @type {Record<string, any> | null} what the organisation was paid; null when nothing yet */
  funding: null,
  /** @type {Array<Record<string, any>>} the organisation's events, to justify a grant with */
  events: [],
  /** @type {string} */
  orgError: '',
};

const budgets = createPagedList((cursor, limit) => {
  const query = new URLSearchParams({ district: shared().district, limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return `/api/funding/budgets?${query}`;
});

async function loadBudgets() {
  if (!shared().district) budgets.clear();
  else await budgets.first();
  renderBudgets();
}

function renderBudgets() {
  const { lang } = shared();
  const view = budgets.view();
  $('#budgets-table tbody').replaceChildren(
    ...view.items.map((/** @type {any} */ b) =>
      el(
        'tr',
        { dataset: { testid: 'budget-row', year: String(b.year) } },
        el('th', { scope: 'row' }, String(b.year)),
        el('td', { className: 'numeric' }, yuan(b.allocatedFen)),
        el('td', { className: 'numeric' }, yuan(b.usedFen)),
        el('td', { className: 'numeric', dataset: { testid: 'budget-left' } }, yuan(b.leftFen)),
        el('td', { className: 'numeric' }, formatCount(b.activeGrants, lang)),
        el('td', { className: 'numeric' }, formatCount(b.refusals, lang)),
      ),
    ),
  );
  $('#budgets-empty').hidden = view.items.length > 0;
  $('#budgets-more').hidden = !view.hasMore;
  placeForms($('#budget-form-slot'), 'budget', () =>
    buildForm({
      id: 'budget-form',
      prefix: 'bg-',
      legend: 'funding.allocateLegend',
      submit: 'funding.allocate',
      fields: [
        { name: 'year', label: 'funding.year', type: 'number', value: String(new Date().getFullYear()), required: true },
        { name: 'amount', label: 'funding.amountYuan', required: true },
        { name: 'note', label: 'proposals.note' },
      ],
      onsubmit: async (form) => {
        const v = formValues(form);
        const amountFen = yuanToFen(v.amount);
        const problems = [...(Number.isInteger(Number(v.year)) && v.year ? [] : [{ field: 'year', reason: 'required' }]), ...(amountFen > 0 ? [] : [{ field: 'amount', reason: 'amount-invalid' }])];
        if (problems.length) return showFieldErrors(form, 'bg-err-', problems);
        const answer = await submitForm(form, 'bg-err-', () =>
          api('/api/funding/budgets', { method: 'POST', body: { district: shared().district, year: Number(v.year), amountFen, ...(v.note?.trim() && { note: v.note.trim() }) } }),
        );
        if (answer) await loadInto('funding', loadBudgets);
      },
    }),
  );
}

/**
 * Shows an organisation's grants and the form to pay one (from the lookup, or an organisation's page).
 * @param {string} orgId
 */
export async function showOrgFunding(orgId) {
  local.orgId = orgId.trim();
  await loadOrg();
  $('#funding').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

async function loadOrg() {
  const orgId = local.orgId;
  if (!orgId) return renderOrg();
  local.orgError = '';
  try {
    const [funding, audit] = await Promise.all([
      api(`/api/funding/orgs/${enc(orgId)}`).catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e))),
      api(`/api/audit/orgs/${enc(orgId)}`),
    ]);
    if (orgId !== local.orgId) return;
    local.funding = funding;
    local.events = audit?.items ?? [];
  } catch (error) {
    local.funding = null;
    local.events = [];
    local.orgError = describeFailure(error);
  }
  renderOrg();
}

function renderOrg() {
  const { t, lang } = shared();
  $('#funding-org-id').value = local.orgId ?? '';
  const error = $('#funding-org-error');
  error.textContent = local.orgError;
  error.hidden = !local.orgError;
  const detail = $('#funding-org');
  detail.hidden = !local.orgId || Boolean(local.orgError);
  if (detail.hidden) return;
  const byId = new Map(local.events.map((e) => [e.eventId, e]));
  /** @param {string} id */
  const justification = (id) => {
    const event = byId.get(id);
    return el('li', { dataset: { testid: 'grant-justification', eventId: id } }, event ? `${t.label('event', event.type)} · ${formatDateTime(event.occurredAt, lang)}` : t('funding.eventElsewhere'), el('span', { className: 'mono hint' }, ` ${id}`));
  };
  const grants = local.funding?.grants ?? [];
  $('#funding-org-summary').textContent = t('funding.orgSummary', { org: local.orgId, amount: yuan(local.funding?.receivedFen ?? 0), count: formatCount(grants.length, lang) });
  $('#grants-list').replaceChildren(
    ...(grants.length === 0
      ? [el('li', { className: 'timeline-empty' }, t('funding.noGrants'))]
      : grants.map((/** @type {any} */ g) =>
          el(
            'li',
            { className: 'timeline-item', dataset: { testid: 'grant', grantId: g.grantId, status: g.status } },
            el('div', { className: 'timeline-head' }, el('strong', {}, t.label('subsidyItem', g.item)), el('span', {}, yuan(g.amountFen)), el('span', { className: 'hint' }, `${g.year} · ${t.label('grantStatus', g.status)}`), el('time', {}, formatDateTime(g.grantedAt, lang))),
            g.clawBackReason ? el('p', { className: 'hint' }, t('funding.clawedBack', { reason: g.clawBackReason })) : null,
            el('p', { className: 'hint' }, t('funding.justifiedBy')),
            el('ul', { className: 'justifications' }, g.justifiedBy.map(justification)),
          ),
        )),
  );
  renderGrantForm();
}

function renderGrantForm() {
  const choices = [...local.events].sort((a, b) => b.position - a.position).slice(0, 30);
  placeForms($('#grant-form-slot'), `${local.orgId}|${choices.map((e) => e.eventId).join(',')}`, () => grantForm(choices));
}

/** @param {Array<Record<string, any>>} choices the events offered as justification, newest first */
function grantForm(choices) {
  const { t, lang } = shared();
  const justifications = el(
    'fieldset',
    { className: 'justification-choices', dataset: { testid: 'gr-justifications' } },
    el('legend', {}, t('funding.justifyWith')),
    choices.length === 0
      ? el('p', { className: 'hint' }, t('funding.noEvents'))
      : choices.map((e) =>
          el('label', { className: 'check' }, el('input', { type: 'checkbox', name: 'justifiedBy', value: e.eventId, dataset: { testid: 'gr-justify', type: e.type } }), ` ${t.label('event', e.type)} · ${formatDateTime(e.occurredAt, lang)}`),
        ),
    el('p', { className: 'field-error', id: 'gr-err-justifiedBy', dataset: { testid: 'gr-error-justifiedBy' }, hidden: true }),
  );
  const form = buildForm({
    id: 'grant-form',
    prefix: 'gr-',
    legend: 'funding.grantLegend',
    submit: 'funding.grant',
    hint: 'funding.grantHint',
    fields: [
      { name: 'year', label: 'funding.year', type: 'number', value: String(new Date().getFullYear()), required: true },
      { name: 'item', label: 'funding.item', type: 'select', options: SUBSIDY_ITEMS.map((item) => [item, t.label('subsidyItem', item)]) },
      { name: 'amount', label: 'funding.amountYuan', hint: 'funding.amountHint' },
      { name: 'venueScale', label: 'funding.venueScale', type: 'select', options: [['', t('common.unspecified')], ...['small', 'medium', 'large'].map((s) => /** @type {[string, string]} */ ([s, t.label('venueScale', s)]))] },
      { name: 'orgFormedOn', label: 'funding.orgFormedOn', type: 'date' },
      { name: 'payee', label: 'funding.payee' },
      { name: 'note', label: 'proposals.note' },
    ],
    extra: [justifications],
    onsubmit: async (f) => {
      const v = formValues(f);
      const justifiedBy = [...f.querySelectorAll('input[name="justifiedBy"]:checked')].map((input) => /** @type {HTMLInputElement} */ (input).value);
      const amountFen = v.amount?.trim() ? yuanToFen(v.amount) : undefined;
      const problems = [
        ...(justifiedBy.length ? [] : [{ field: 'justifiedBy', reason: 'justification-required' }]),
        ...(amountFen === undefined && !FIXED_AMOUNT.has(v.item) ? [{ field: 'amount', reason: 'amount-required' }] : []),
        ...(amountFen !== undefined && !(amountFen > 0) ? [{ field: 'amount', reason: 'amount-invalid' }] : []),
      ];
      if (problems.length) return showFieldErrors(f, 'gr-err-', problems);
      const body = {
        district: shared().district,
        year: Number(v.year),
        orgId: local.orgId,
        item: v.item,
        justifiedBy,
        ...(amountFen !== undefined && { amountFen }),
        ...(v.venueScale && { venueScale: v.venueScale }),
        ...(v.orgFormedOn && { orgFormedOn: v.orgFormedOn }),
        ...(v.payee?.trim() && { payee: v.payee.trim() }),
        ...(v.note?.trim() && { note: v.note.trim() }),
      };
      const answer = await submitForm(f, 'gr-err-', () => api('/api/funding/grants', { method: 'POST', body }));
      if (answer) await Promise.all([loadOrg(), loadInto('funding', loadBudgets)]);
    },
  });
  return form;
}

/** @type {import('../panel.js').Panel} */
export const fundingPanel = {
  id: 'funding',
  load() {
    local.orgId = null;
    local.funding = null;
    renderOrg();
    return loadBudgets();
  },
  refresh: () => Promise.all([loadBudgets(), local.orgId ? loadOrg() : undefined]),
  render() {
    renderBudgets();
    renderOrg();
  },
  wire() {
    $('#funding-org-form').addEventListener('submit', (/** @type {Event} */ e) => {
      e.preventDefault();
      const id = $('#funding-org-id').value.trim();
      if (id) showOrgFunding(id);
    });
    $('#budgets-more').addEventListener('click', () => loadInto('funding', () => budgets.more().then(renderBudgets)));
  },
};
