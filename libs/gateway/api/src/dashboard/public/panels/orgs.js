// @ts-check
// 党组织: the district's organisations, one opened with its facts, tree and history, and what an
// officer does to it: place it in the tree, assign its secretary and instructor, merge, dissolve
// (or confirm the dissolution the rules left pending) and pair it with a public unit.
import { api, enc } from '../api.js';
import { $, buildForm, clearFieldErrors, displayValue, el, factNodes, formValues, loadInto, placeForms, renderTimeline, showFieldErrors, submitForm, toast } from '../dom.js';
import { describeFailure } from '../api.js';
import { formatCount, formatDateTime, pendingDissolution } from '../lib.js';
import { createPagedList } from '../paging.js';
import { shared } from '../store.js';
import { lookUp } from './enterprise.js';
import { showOrgFunding } from './funding.js';
import { showOrgRatings } from './evaluation.js';

const local = {
  status: 'active',
  /** @type {Record<string, any> | null} */
  org: null,
  /** @type {Array<Record<string, any>>} */
  audit: [],
  /** @type {Record<string, any> | null} the open organisation's tree, null when it could not be read */
  tree: null,
  loaded: false,
};

const list = createPagedList((cursor, limit) => {
  const query = new URLSearchParams({ district: shared().district, status: local.status, limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return `/api/orgs?${query}`;
});

async function loadOrgs() {
  local.loaded = false;
  if (!shared().district) {
    list.clear();
    return renderOrgs();
  }
  await list.first();
  local.loaded = true;
  renderOrgs();
}

function renderOrgs() {
  const { t, lang, district } = shared();
  const view = list.view();
  const rows = view.items.map((/** @type {any} */ org) =>
    el(
      'tr',
      { dataset: { testid: 'org-row', orgId: org.id }, className: local.org?.id === org.id ? 'selected' : undefined },
      el('th', { scope: 'row' }, el('button', { type: 'button', className: 'link', onclick: () => openOrg(org.id) }, org.name ?? org.id), org.name ? el('div', { className: 'mono hint' }, org.id) : null),
      el('td', {}, t.label('mode', org.mode)),
      el('td', {}, t.label('level', org.level)),
      el('td', { title: (org.enterprises ?? []).join(', ') }, t('orgs.enterpriseCount', { count: formatCount((org.enterprises ?? []).length, lang) })),
      el('td', { className: 'numeric', dataset: { testid: 'org-full-members' } }, formatCount(org.fullMembers, lang)),
    ),
  );
  $('#orgs-table tbody').replaceChildren(...rows);
  $('#orgs-empty').hidden = view.items.length > 0 || !district || !local.loaded;
  $('#orgs-more').hidden = !view.hasMore;
  const members = view.items.reduce((/** @type {number} */ sum, /** @type {any} */ org) => sum + (org.fullMembers ?? 0), 0);
  $('#orgs-summary').textContent = district && local.loaded ? t('orgs.summary', { count: formatCount(view.total, lang), members: formatCount(members, lang), status: t(`orgStatus.${local.status}`) }) : '';
}

/** The tree under an organisation, three levels listed; the page still shows the organisation when it cannot be read. */
const orgTreeOf = (/** @type {string} */ id) => api(`/api/orgs/${enc(id)}/tree?depth=3`).catch(() => null);

/**
 * Opens an organisation below the list (from a row, the tree, an enterprise or a notification).
 * @param {string} id
 */
export async function openOrg(id) {
  try {
    const [org, audit, tree] = await Promise.all([api(`/api/orgs/${enc(id)}`), api(`/api/audit/orgs/${enc(id)}`), orgTreeOf(id)]);
    if (local.org?.id !== org?.id) {
      // what was typed for one organisation must not be saved against the next one opened
      const parentForm = $('#org-parent-form');
      parentForm.reset();
      clearFieldErrors(parentForm);
    }
    local.org = org;
    local.audit = audit?.items ?? [];
    local.tree = tree;
  } catch (error) {
    toast(describeFailure(error));
    return;
  }
  renderOrgs();
  renderOrgDetail();
  $('#org-detail').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

/** @param {string} id */
async function refreshOrgQuietly(id) {
  const [org, audit, tree] = await Promise.all([api(`/api/orgs/${enc(id)}`), api(`/api/audit/orgs/${enc(id)}`), orgTreeOf(id)]);
  if (local.org?.id !== id) return;
  local.org = org;
  local.audit = audit?.items ?? [];
  local.tree = tree;
  renderOrgDetail();
}

const ORG_FACTS = ['status', 'mode', 'level', 'district', 'fullMembers', 'probationaryMembers', 'committeeSize', 'secretary', 'instructor', 'parentOrgId', 'pairedWith', 'stars', 'subsidiesReceivedFen', 'formedAt', 'dissolvedAt'];

function renderOrgDetail() {
  const panel = $('#org-detail');
  const org = local.org;
  panel.hidden = !org;
  if (!org) return;
  const { t, lang } = shared();
  $('#org-detail-title').textContent = org.name ? `${org.name}（${org.id}）` : t('orgs.detailTitle', { id: org.id });
  /** @type {Array<[string, any]>} */
  const facts = ORG_FACTS.filter((key) => org[key] !== undefined && org[key] !== null && !(Array.isArray(org[key]) && org[key].length === 0)).map((key) => {
    let value = org[key];
    if (key === 'status') value = t.label('orgStatus', value);
    else if (key === 'mode') value = t.label('mode', value);
    else if (key === 'level') value = t.label('level', value);
    else if (key === 'district') value = t.label('district', value);
    else if (key.endsWith('At')) value = formatDateTime(value, lang);
    else if (key === 'stars') value = t('org.starsValue', { stars: '★'.repeat(value.stars), year: value.year, verdict: t(value.passed ? 'org.passed' : 'org.failed') });
    else if (key === 'subsidiesReceivedFen') value = t('org.yuan', { amount: formatCount(value / 100, lang) });
    else if (key === 'pairedWith') value = el('span', { dataset: { testid: 'org-paired-with' } }, value.map((/** @type {any} */ p) => p.name || p.orgId).join('、'));
    else if (typeof value === 'number') value = formatCount(value, lang);
    else if (typeof value === 'object') value = el('span', { dataset: { testid: `org-${key}` } }, displayValue(key, value));
    return [t(`org.${key}`), value];
  });
  const enterprises = el(
    'ul',
    { className: 'chip-list' },
    (org.enterprises ?? []).map((/** @type {string} */ code) => el('li', {}, el('button', { type: 'button', className: 'chip mono', onclick: () => lookUp(code) }, code))),
  );
  $('#org-facts').replaceChildren(...factNodes(facts), el('dt', {}, t('org.enterprises')), el('dd', {}, enterprises));
  $('#org-links').replaceChildren(
    el('button', { type: 'button', className: 'button button-small', dataset: { testid: 'org-show-funding' }, onclick: () => showOrgFunding(org.id) }, t('org.showFunding')),
    el('button', { type: 'button', className: 'button button-small', dataset: { testid: 'org-show-ratings' }, onclick: () => showOrgRatings(org.id) }, t('org.showRatings')),
  );
  renderTimeline($('#org-audit'), local.audit);
  renderOrgTree();
  renderOrgActions();
}

function renderOrgTree() {
  const { t, lang } = shared();
  const tree = local.tree;
  /** @param {any} sum */
  const totals = (sum) =>
    t('tree.totals', {
      orgs: formatCount(sum.organisations, lang),
      members: formatCount(sum.fullMembers + sum.probationaryMembers, lang),
      enterprises: formatCount(sum.enterprises, lang),
      amount: formatCount(sum.subsidiesReceivedFen / 100, lang),
    });
  /** @param {any} n @returns {any} */
  const node = (n) =>
    el(
      'li',
      { dataset: { org: n.id } },
      n.id === tree?.id ? el('strong', {}, n.name) : el('button', { type: 'button', className: 'link', onclick: () => openOrg(n.id) }, n.name),
      n.status === 'dissolved' ? ` (${t.label('orgStatus', n.status)})` : '',
      el('span', { className: 'tree-totals' }, ` ${totals(n.subtree)}`),
      n.truncated ? el('span', { className: 'tree-more' }, ` ${t('tree.more')}`) : '',
      n.children.length > 0 ? el('ul', {}, n.children.map(node)) : null,
    );
  const listNode = $('#org-tree');
  if (!tree) return listNode.replaceChildren();
  listNode.replaceChildren(node(tree), tree.children.length === 0 ? el('li', { className: 'empty' }, t('tree.none')) : null);
}

/**
 * Sends one command about the open organisation, then shows it as it is after.
 * @param {HTMLFormElement} form
 * @param {string} errPrefix
 * @param {string} method
 * @param {string} path after /api/orgs/{id}
 * @param {object} body
 */
async function orgCommand(form, errPrefix, method, path, body) {
  const id = local.org?.id;
  if (!id) return;
  const answer = await submitForm(form, errPrefix, () => api(`/api/orgs/${enc(id)}${path}`, { method, body }));
  if (!answer) return;
  form.reset();
  await Promise.all([openOrg(id), loadInto('orgs', loadOrgs)]);
}

/**
 * @param {HTMLFormElement} form
 * @param {string} errPrefix
 * @param {string[]} required
 */
function requireFields(form, errPrefix, required) {
  const v = formValues(form);
  const problems = required.filter((field) => !String(v[field] ?? '').trim()).map((field) => ({ field, reason: 'required' }));
  if (problems.length) showFieldErrors(form, errPrefix, problems);
  return problems.length ? null : v;
}

/** @param {'secretary' | 'instructor'} role */
function personForm(role) {
  const org = /** @type {Record<string, any>} */ (local.org);
  const current = org[role];
  const prefix = role === 'secretary' ? 'sec-' : 'ins-';
  return buildForm({
    id: `org-${role}-form`,
    prefix,
    legend: current ? `person.replace.${role}` : `person.assign.${role}`,
    submit: 'common.save',
    fields: [
      { name: 'personId', label: 'person.id', required: true },
      { name: 'name', label: 'person.name', required: true },
      ...(current ? [/** @type {import('../dom.js').FieldSpec} */ ({ name: 'reason', label: 'person.reason', required: true })] : []),
    ],
    onsubmit: (form) => {
      const v = requireFields(form, `${prefix}err-`, current ? ['personId', 'name', 'reason'] : ['personId', 'name']);
      if (!v) return;
      orgCommand(form, `${prefix}err-`, 'PUT', `/${role}`, { person: { personId: v.personId.trim(), name: v.name.trim() }, ...(current && { reason: v.reason.trim() }) });
    },
  });
}

function renderOrgActions() {
  const org = local.org;
  const pending = org && org.status !== 'dissolved' ? pendingDissolution(local.audit) : null;
  const key = org ? [org.id, org.status, Boolean(org.secretary), Boolean(org.instructor), pending?.confirmableFrom ?? Boolean(pending)].join('|') : '';
  placeForms($('#org-actions'), key, () => (org && org.status !== 'dissolved' ? orgActionForms(pending) : []));
}

/** @param {ReturnType<typeof pendingDissolution>} pending */
function orgActionForms(pending) {
  const { t } = shared();
  const pendingNode = pending
    ? el(
        'div',
        { className: 'notice', dataset: { testid: 'org-pending-dissolution' } },
        el('p', {}, t('org.pendingDissolution', { code: pending.creditCode ?? '—', from: pending.confirmableFrom ? formatDateTime(pending.confirmableFrom, shared().lang) : '—' })),
        buildForm({
          id: 'org-confirm-dissolution-form',
          prefix: 'cd-',
          legend: 'org.confirmDissolutionLegend',
          submit: 'org.confirmDissolution',
          fields: [{ name: 'note', label: 'proposals.note' }],
          onsubmit: (form) => {
            const note = formValues(form).note?.trim();
            orgCommand(form, 'cd-err-', 'POST', '/dissolution/confirm', note ? { note } : {});
          },
        }),
      )
    : null;
  return [
    pendingNode,
    el('div', { className: 'subforms' }, personForm('secretary'), personForm('instructor')),
    el(
      'div',
      { className: 'subforms' },
      buildForm({
        id: 'org-merge-form',
        prefix: 'mg-',
        legend: 'org.mergeLegend',
        submit: 'org.merge',
        hint: 'org.mergeHint',
        fields: [
          { name: 'intoOrgId', label: 'org.intoOrgId', required: true },
          { name: 'reason', label: 'field.reason', required: true },
        ],
        onsubmit: (form) => {
          const v = requireFields(form, 'mg-err-', ['intoOrgId', 'reason']);
          if (v) orgCommand(form, 'mg-err-', 'POST', '/merge', { intoOrgId: v.intoOrgId.trim(), reason: v.reason.trim() });
        },
      }),
      buildForm({
        id: 'org-dissolve-form',
        prefix: 'ds-',
        legend: 'org.dissolveLegend',
        submit: 'org.dissolve',
        fields: [{ name: 'reason', label: 'field.reason', required: true }],
        onsubmit: (form) => {
          const v = requireFields(form, 'ds-err-', ['reason']);
          if (v) orgCommand(form, 'ds-err-', 'POST', '/dissolve', { reason: v.reason.trim() });
        },
      }),
      buildForm({
        id: 'org-pair-form',
        prefix: 'pr-',
        legend: 'org.pairLegend',
        submit: 'org.pair',
        hint: 'org.pairHint',
        fields: [
          { name: 'publicUnitOrgId', label: 'org.publicUnitOrgId', required: true },
          { name: 'publicUnitName', label: 'org.publicUnitName' },
          { name: 'pairedOn', label: 'org.pairedOn', type: 'date' },
        ],
        onsubmit: (form) => {
          const v = requireFields(form, 'pr-err-', ['publicUnitOrgId']);
          if (!v) return;
          orgCommand(form, 'pr-err-', 'POST', '/pairings', {
            publicUnitOrgId: v.publicUnitOrgId.trim(),
            ...(v.publicUnitName?.trim() && { publicUnitName: v.publicUnitName.trim() }),
            ...(v.pairedOn && { pairedOn: v.pairedOn }),
          });
        },
      }),
    ),
  ];
}

/** Places the open organisation under the parent typed in, or detaches it when the field is left empty. */
async function submitOrgParent(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const id = local.org?.id;
  if (!id) return;
  const values = formValues(form);
  const body = { parentOrgId: String(values.parentOrgId ?? '').trim() || null, reason: String(values.reason ?? '').trim() };
  if (!body.reason) return showFieldErrors(form, 'op-err-', [{ field: 'reason', reason: 'required' }]);
  const answer = await submitForm(form, 'op-err-', () => api(`/api/orgs/${enc(id)}/parent`, { method: 'POST', body }));
  if (!answer) return;
  form.reset();
  await openOrg(id);
}

/** @type {import('../panel.js').Panel} */
export const orgsPanel = {
  id: 'orgs',
  load() {
    local.org = null;
    renderOrgDetail();
    return loadOrgs();
  },
  refresh: () => Promise.all([loadOrgs(), local.org ? refreshOrgQuietly(local.org.id) : undefined]),
  render() {
    renderOrgs();
    renderOrgDetail();
  },
  wire() {
    $('#orgs-status').addEventListener('change', (/** @type {Event} */ e) => {
      local.status = /** @type {HTMLSelectElement} */ (e.target).value;
      local.org = null;
      renderOrgDetail();
      loadInto('orgs', loadOrgs);
    });
    $('#orgs-more').addEventListener('click', () => loadInto('orgs', () => list.more().then(renderOrgs)));
    $('#org-detail-close').addEventListener('click', () => {
      local.org = null;
      renderOrgDetail();
      renderOrgs();
    });
    $('#org-parent-form').addEventListener('submit', submitOrgParent);
  },
};

/** Reloads the list (after a proposal was approved elsewhere on the page). */
export const reloadOrgs = () => loadInto('orgs', loadOrgs);
