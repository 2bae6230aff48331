// @ts-check
// 覆盖待办清单: what the district has to do next, by reason, with the assignment done from the row.
import { api, enc } from '../api.js';
import { $, buildForm, el, formValues, loadInto, showFieldErrors, submitForm } from '../dom.js';
import { formatCount } from '../lib.js';
import { createPagedList } from '../paging.js';
import { shared } from '../store.js';
import { lookUp } from './enterprise.js';

const WORKLIST_REASONS = ['needs-assignee', 'needs-organisation', 'awaiting-joint-members'];
const WORKLIST_PAGE = 50;

const local = {
  reason: '',
  /** the enterprise the assignment form is open for */
  assigning: /** @type {Record<string, any> | null} */ (null),
  loaded: false,
};

const list = createPagedList((cursor, limit) => {
  const query = new URLSearchParams({ district: shared().district, limit: String(limit) });
  if (local.reason) query.set('reason', local.reason);
  if (cursor) query.set('cursor', cursor);
  return `/api/coverage/worklist?${query}`;
}, WORKLIST_PAGE);

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
  const rows = view.items.map((/** @type {any} */ item) =>
    el(
      'tr',
      { dataset: { testid: 'worklist-row', creditCode: item.creditCode, reason: item.reason } },
      el('th', { scope: 'row' }, el('button', { type: 'button', className: 'link', onclick: () => lookUp(item.creditCode) }, item.name), el('div', { className: 'mono hint' }, item.creditCode)),
      el('td', {}, WORKLIST_REASONS.includes(item.reason) ? t(`worklistReason.${item.reason}`) : item.reason),
      el('td', { className: 'numeric' }, formatCount(item.employees, lang)),
      el('td', { className: 'numeric' }, `${formatCount(item.fullMembers, lang)} / ${formatCount(item.probationaryMembers, lang)}`),
      el(
        'td',
        {},
        item.assignee ?? t('worklist.nobody'),
        item.reason === 'needs-assignee'
          ? el('button', { type: 'button', className: 'button button-small', dataset: { testid: 'worklist-assign' }, onclick: () => openAssign(item) }, t('worklist.assign'))
          : null,
      ),
    ),
  );
  $('#worklist-table tbody').replaceChildren(...rows);
  $('#worklist-reason').value = local.reason;
  $('#worklist-more').hidden = !view.hasMore;
  $('#worklist-summary').textContent =
    !district || !local.loaded ? '' : view.total === 0 ? t('worklist.none') : t('worklist.summary', { total: formatCount(view.total, lang), shown: formatCount(view.items.length, lang) });
  renderAssign();
}

/** @param {Record<string, any>} item */
function openAssign(item) {
  local.assigning = item;
  renderAssign();
  document.getElementById('wa-personId')?.focus();
}

function renderAssign() {
  const slot = $('#worklist-assign');
  const item = local.assigning;
  if (!item) return slot.replaceChildren();
  const { t } = shared();
  const form = buildForm({
    id: 'worklist-assign-form',
    prefix: 'wa-',
    legend: 'worklist.assignLegend',
    submit: 'worklist.assignSubmit',
    fields: [
      { name: 'coveredBy', label: 'field.coveredBy', type: 'select', options: [['instructor', t.label('coveredBy', 'instructor')], ['liaison', t.label('coveredBy', 'liaison')]] },
      { name: 'personId', label: 'person.id', required: true },
      { name: 'name', label: 'person.name', required: true },
    ],
    extra: [el('p', { className: 'hint', dataset: { testid: 'worklist-assign-target' } }, t('worklist.assignFor', { name: item.name, code: item.creditCode }))],
    onsubmit: async (f) => {
      const v = formValues(f);
      const problems = ['personId', 'name'].filter((field) => !v[field]?.trim()).map((field) => ({ field, reason: 'required' }));
      if (problems.length) return showFieldErrors(f, 'wa-err-', problems);
      const answer = await submitForm(f, 'wa-err-', () =>
        api(`/api/enterprises/${enc(item.creditCode)}/work-coverage`, { method: 'PUT', body: { coveredBy: v.coveredBy, assignee: { personId: v.personId.trim(), name: v.name.trim() } } }),
      );
      if (!answer) return;
      local.assigning = null;
      await loadInto('worklist', load);
    },
  });
  slot.replaceChildren(form);
}

/** @type {import('../panel.js').Panel} */
export const worklistPanel = {
  id: 'worklist',
  load,
  // the first page follows the figures; pages an officer loaded beyond it stay until they change district
  refresh: () => (list.shownCount <= WORKLIST_PAGE ? load() : Promise.resolve()),
  render,
  wire() {
    $('#worklist-reason').addEventListener('change', (/** @type {Event} */ e) => {
      local.reason = /** @type {HTMLSelectElement} */ (e.target).value;
      loadInto('worklist', load);
    });
    $('#worklist-more').addEventListener('click', () => loadInto('worklist', () => list.more().then(render)));
  },
};
