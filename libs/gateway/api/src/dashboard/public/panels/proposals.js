// @ts-check
// 组建申请待批复: proposals awaiting another officer's approval, and proposing one.
import { api, describeFailure, enc } from '../api.js';
import { $, el, formValues, loadInto, showFieldErrors, showFormError, submitForm, toast } from '../dom.js';
import { formatCount } from '../lib.js';
import { createPagedList } from '../paging.js';
import { shared } from '../store.js';
import { reloadOrgs } from './orgs.js';

const DAY_MS = 86_400_000;
const local = { loaded: false };

const list = createPagedList((cursor, limit) => {
  const query = new URLSearchParams({ district: shared().district, status: 'pending', limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return `/api/org-proposals?${query}`;
});

async function load() {
  local.loaded = false;
  if (!shared().district) {
    list.clear();
    return render();
  }
  await list.first();
  local.loaded = true;
  render();
}

function render() {
  const { t, lang, district } = shared();
  const view = list.view();
  const rows = view.items.map((/** @type {any} */ p) => {
    const reason = el('input', { type: 'text', name: 'reason', className: 'input-small', placeholder: t('proposals.reasonPlaceholder'), 'aria-label': t('proposals.reasonPlaceholder'), dataset: { testid: 'proposal-reason' } });
    const approve = el(
      'button',
      { type: 'button', className: 'button button-primary button-small', dataset: { testid: 'proposal-approve' }, onclick: (/** @type {Event} */ e) => decide(/** @type {HTMLButtonElement} */ (e.currentTarget), p.orgId, 'approve', {}) },
      t('proposals.approve'),
    );
    const reject = el(
      'button',
      {
        type: 'button',
        className: 'button button-quiet button-small',
        dataset: { testid: 'proposal-reject' },
        onclick: (/** @type {Event} */ e) => {
          const text = reason.value.trim();
          if (!text) return showError(t('proposals.reasonRequired'));
          return decide(/** @type {HTMLButtonElement} */ (e.currentTarget), p.orgId, 'reject', { reason: text });
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
  $('#proposals-more').hidden = !view.hasMore;
  $('#proposals-summary').textContent = !district || !local.loaded ? '' : view.total ? t('proposals.summary', { count: formatCount(view.total, lang) }) : t('proposals.none');
}

/** @param {string} text */
function showError(text) {
  const slot = $('#proposals-error');
  slot.textContent = text;
  slot.hidden = !text;
}

/**
 * Approves or rejects one proposal, then shows the district as it is after the decision.
 * @param {HTMLButtonElement} button
 * @param {string} orgId
 * @param {'approve' | 'reject'} decision
 * @param {object} body
 */
async function decide(button, orgId, decision, body) {
  showError('');
  button.disabled = true;
  try {
    const answer = await api(`/api/org-proposals/${enc(orgId)}/${decision}`, { method: 'POST', body });
    toast(shared().t('common.saved', { position: answer?.position ?? '—' }));
    await Promise.all([loadInto('proposals', load), reloadOrgs()]);
  } catch (error) {
    showError(describeFailure(error));
  } finally {
    button.disabled = false;
  }
}

/** Proposes an organisation in the district shown, for another officer to approve. */
async function submitProposal(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const { district, t } = shared();
  if (!district) return showFormError(form, t('proposals.noDistrict'));
  const values = formValues(form);
  const body = {
    mode: values.mode,
    name: String(values.name ?? '').trim(),
    district,
    enterprises: String(values.enterprises ?? '')
      .split(/[\s,，、;；]+/)
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean),
    ...(values.level && { level: values.level }),
    ...(String(values.note ?? '').trim() && { note: String(values.note).trim() }),
  };
  if (!body.name) return showFieldErrors(form, 'pp-err-', [{ field: 'name', reason: 'required' }]);
  const answer = await submitForm(form, 'pp-err-', () => api('/api/org-proposals', { method: 'POST', body }));
  if (!answer) return;
  form.reset();
  await loadInto('proposals', load);
}

/** @type {import('../panel.js').Panel} */
export const proposalsPanel = {
  id: 'proposals',
  load,
  render,
  wire() {
    $('#proposal-form').addEventListener('submit', submitProposal);
    $('#proposals-more').addEventListener('click', () => loadInto('proposals', () => list.more().then(render)));
  },
};

/** How many wait for approval in the district (for the notifications). */
export const pendingProposalCount = () => (local.loaded ? list.view().total : 0);
