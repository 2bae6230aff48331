// @ts-check
// 企业服务: an enterprise's own page. With an enterprise token it sees its record, how it is
// covered (its organisation), its service requests, submits a new one, and confirms or reopens
// a resolved one. The server decides what the token may see; the page only asks.
import { api, enc } from './api.js';
import { $, $$, buildForm, el, factNodes, formValues, loadInto, placeForms, showFieldErrors, showPanelError, submitForm } from './dom.js';
import { formatCount, formatDateTime } from './lib.js';
import { connectLive, setLiveState } from './live.js';
import { createPagedList } from './paging.js';
import { shared, subscribe, tokenClaims, update } from './store.js';

const REQUEST_CATEGORIES = ['financing', 'hiring', 'market-access', 'safety', 'land', 'policy', 'other'];

const local = {
  /** @type {Record<string, any> | null} */
  enterprise: null,
};

const requests = createPagedList((cursor, limit) => {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return `/api/requests?${query}`;
});

/** The credit code the token was issued for (the server checks it on every call). */
const ownCode = () => String(tokenClaims().creditCode ?? '');

async function loadRecord() {
  const code = ownCode();
  if (!code) return showPanelError('self-record', shared().t('self.notEnterprise'));
  local.enterprise = await api(`/api/enterprises/${enc(code)}`);
  renderRecord();
}

async function loadRequests() {
  await requests.first();
  renderRequests();
}

function renderRecord() {
  const { t, lang } = shared();
  const e = local.enterprise;
  $('#self-name').textContent = e?.name ?? '';
  $('#self-code').textContent = e?.creditCode ?? ownCode();
  const badge = $('#self-coverage');
  badge.textContent = e ? t.label('coverageKind', e.coverage) : '';
  badge.className = e ? `badge badge-${e.coverage === 'awaiting-joint' ? 'work' : (e.coverage ?? 'none')}` : 'badge';
  if (!e) return;
  $('#self-facts').replaceChildren(
    ...factNodes([
      [t('field.district'), t.label('district', e.district)],
      [t('field.kind'), t.label('kind', e.kind)],
      [t('field.employees'), formatCount(e.employees, lang)],
      [t('field.fullMembers'), formatCount(e.fullMembers, lang)],
      [t('field.probationaryMembers'), formatCount(e.probationaryMembers, lang)],
      [t('field.operatingStatus'), t.label('operatingStatus', e.operatingStatus)],
    ]),
  );
  $('#self-org-facts').replaceChildren(
    ...factNodes(
      e.orgId
        ? [
            [t('field.org'), el('span', { className: 'mono', dataset: { testid: 'self-org-id' } }, e.orgId)],
            [t('field.orgMode'), t.label('mode', e.orgMode)],
          ]
        : [
            [t('field.org'), el('span', { dataset: { testid: 'self-org-id' } }, t('enterprise.noOrg'))],
            [t('enterprise.coverageReasonLabel'), t.label('coverageReason', e.coverageReason ?? 'none')],
          ],
    ),
  );
}

function renderRequests() {
  const { t, lang } = shared();
  const view = requests.view();
  $('#self-requests-summary').textContent = view.total === 0 ? t('self.noRequests') : t('requests.listSummary', { total: formatCount(view.total, lang), shown: formatCount(view.items.length, lang) });
  $('#self-requests-list').replaceChildren(
    ...view.items.map((/** @type {any} */ r) =>
      el(
        'li',
        { className: 'timeline-item', dataset: { testid: 'self-request', requestId: r.requestId, status: r.status } },
        el(
          'div',
          { className: 'timeline-head' },
          el('strong', {}, t.label('requestCategory', r.category)),
          el('span', { className: `badge badge-status-${r.status}`, dataset: { testid: 'self-request-status' } }, t.label('requestStatus', r.status)),
          el('time', { datetime: r.submittedAt }, formatDateTime(r.submittedAt, lang)),
        ),
        el('p', {}, r.description),
        el(
          'dl',
          { className: 'facts facts-compact' },
          ...factNodes([
            [t('requests.owner'), r.owner ? `${r.owner.name}（${t.label('ownerKind', r.owner.kind)}）` : '—'],
            [t('requests.dueDate'), r.dueDate ?? '—'],
            [t('requests.resolution'), r.resolution ?? '—'],
          ]),
        ),
        r.status === 'resolved' ? el('div', { className: 'request-answer', dataset: { requestId: r.requestId } }) : null,
      ),
    ),
  );
  for (const slot of $$('.request-answer')) {
    placeForms(slot, `${slot.dataset.requestId}`, () => answerForms(slot.dataset.requestId));
  }
  $('#self-requests-more').hidden = !view.hasMore;
}

/**
 * Confirm or reopen a resolved request.
 * @param {string} requestId
 */
function answerForms(requestId) {
  const { t } = shared();
  const confirm = el('button', { type: 'button', className: 'button button-primary', dataset: { testid: 'self-confirm' } }, t('requests.confirm'));
  const reopen = buildForm({
    id: `self-reopen-${requestId}`,
    prefix: `ro-${requestId}-`,
    legend: 'requests.reopen',
    submit: 'requests.reopen',
    fields: [{ name: 'reason', label: 'requests.reopenReasonLabel', required: true }],
    onsubmit: async (form) => {
      const reason = formValues(form).reason?.trim();
      if (!reason) return showFieldErrors(form, `ro-${requestId}-err-`, [{ field: 'reason', reason: 'required' }]);
      const answer = await submitForm(form, `ro-${requestId}-err-`, () => api(`/api/requests/${enc(requestId)}/reopen`, { method: 'POST', body: { reason } }));
      if (answer) await loadInto('self-requests', loadRequests);
    },
  });
  reopen.dataset.testid = 'self-reopen-form';
  confirm.addEventListener('click', async () => {
    const answer = await submitForm(reopen, `ro-${requestId}-err-`, () => api(`/api/requests/${enc(requestId)}/confirm`, { method: 'POST' }));
    if (answer) await loadInto('self-requests', loadRequests);
  });
  return [confirm, reopen];
}

function renderSubmitForm() {
  const { t } = shared();
  placeForms($('#self-submit-slot'), 'submit', () =>
    buildForm({
      id: 'self-submit-form',
      prefix: 'sr-',
      legend: 'requests.submitLegend',
      submit: 'requests.submit',
      fields: [
        { name: 'category', label: 'requests.category', type: 'select', options: REQUEST_CATEGORIES.map((c) => [c, t.label('requestCategory', c)]) },
        { name: 'description', label: 'requests.description', type: 'textarea', required: true },
      ],
      onsubmit: async (form) => {
        const v = formValues(form);
        const description = v.description?.trim();
        if (!description) return showFieldErrors(form, 'sr-err-', [{ field: 'description', reason: 'required' }]);
        const answer = await submitForm(form, 'sr-err-', () => api('/api/requests', { method: 'POST', body: { creditCode: ownCode(), category: v.category, description } }));
        if (!answer) return;
        form.reset();
        await loadInto('self-requests', loadRequests);
      },
    }),
  );
}

async function refresh() {
  await loadInto('self-record', loadRecord);
  if (ownCode()) await loadInto('self-requests', loadRequests);
}

function applyTranslations() {
  const { t, lang } = shared();
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  for (const node of $$('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of $$('[data-i18n-aria-label]')) node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  $('#lang-toggle').lang = lang === 'en' ? 'zh-CN' : 'en';
  document.title = t('self.title');
}

function renderAll() {
  const { authProblem, t } = shared();
  const banner = $('#auth-message');
  banner.hidden = !authProblem;
  $('.banner-text', banner).textContent = authProblem === 403 ? t('auth.forbidden') : authProblem ? t('auth.unauthorised') : '';
  renderRecord();
  renderRequests();
  renderSubmitForm();
  setLiveState($('#live-status').dataset.state);
}

function askForToken() {
  $('#token-input').value = shared().token;
  $('#token-error').hidden = true;
  if (!$('#token-dialog').open) $('#token-dialog').showModal();
}

function wire() {
  $('#lang-toggle').addEventListener('click', () => update({ lang: shared().lang === 'zh' ? 'en' : 'zh' }));
  $('#token-button').addEventListener('click', askForToken);
  $('#auth-message-action').addEventListener('click', askForToken);
  $('#token-clear').addEventListener('click', () => update({ token: '' }));
  $('#token-form').addEventListener('submit', (/** @type {Event} */ event) => {
    event.preventDefault();
    const token = $('#token-input').value.trim();
    if (!token) {
      $('#token-error').textContent = shared().t('auth.required');
      $('#token-error').hidden = false;
      return;
    }
    update({ token, authProblem: null });
    $('#token-dialog').close();
    refresh();
    connectLive(refresh);
  });
  $('#self-requests-more').addEventListener('click', () => loadInto('self-requests', () => requests.more().then(renderRequests)));
  subscribe((changed) => {
    if (changed.includes('lang') || changed.includes('messages')) {
      applyTranslations();
      renderAll();
    }
    if (changed.includes('authProblem')) renderAll();
  });
}

async function start() {
  const response = await fetch(new URL('./i18n.json', import.meta.url));
  update({ messages: await response.json() });
  applyTranslations();
  wire();
  renderAll();
  if (!shared().token || !ownCode()) return askForToken();
  refresh();
  connectLive(refresh);
}

start();
