// @ts-check
// 星级评定: the district's star distribution and pass rate by year, an organisation's ratings,
// completing an assessment against a rubric and correcting one with a reason.
import { api, ApiError, describeFailure, enc } from '../api.js';
import { $, buildForm, el, formValues, loadInto, placeForms, showFieldErrors, submitForm } from '../dom.js';
import { formatCount, formatDateTime, formatRate, parseScores } from '../lib.js';
import { shared } from '../store.js';

const STARS = ['1', '2', '3', '4', '5', '6'];

const local = {
  /** @type {Array<Record<string, any>>} the district's years, ascending */
  years: [],
  /** @type {string | null} */
  orgId: null,
  /** @type {Record<string, any> | null} */
  ratings: null,
  orgError: '',
};

async function loadDistrict() {
  const { district } = shared();
  local.years = district ? (await api(`/api/evaluation/districts/${enc(district)}`)) ?? [] : [];
  renderDistrict();
}

function renderDistrict() {
  const { t, lang } = shared();
  $('#ratings-table tbody').replaceChildren(
    ...[...local.years].reverse().map((y) =>
      el(
        'tr',
        { dataset: { testid: 'rating-year', year: String(y.year) } },
        el('th', { scope: 'row' }, String(y.year)),
        ...STARS.map((s) => el('td', { className: 'numeric', dataset: { stars: s } }, formatCount(y.distribution?.[s] ?? 0, lang))),
        el('td', { className: 'numeric' }, formatCount(y.assessed, lang)),
        el('td', { className: 'numeric', dataset: { testid: 'rating-pass-rate' } }, formatRate(y.passRate ?? undefined, lang)),
      ),
    ),
  );
  $('#ratings-empty').hidden = local.years.length > 0;
  placeForms($('#assessment-forms'), 'assessment', () => [assessForm(), correctForm()]);
  void t;
}

/**
 * Shows an organisation's ratings (from the lookup, or an organisation's page).
 * @param {string} orgId
 */
export async function showOrgRatings(orgId) {
  local.orgId = orgId.trim();
  await loadOrg();
  $('#evaluation').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

async function loadOrg() {
  const orgId = local.orgId;
  if (!orgId) return renderOrg();
  local.orgError = '';
  try {
    local.ratings = await api(`/api/evaluation/orgs/${enc(orgId)}`).catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)));
  } catch (error) {
    local.ratings = null;
    local.orgError = describeFailure(error);
  }
  renderOrg();
}

function renderOrg() {
  const { t, lang } = shared();
  $('#ratings-org-id').value = local.orgId ?? '';
  const error = $('#ratings-org-error');
  error.textContent = local.orgError;
  error.hidden = !local.orgError;
  const list = $('#ratings-org');
  if (!local.orgId || local.orgError) return list.replaceChildren();
  /** @type {any[]} */
  const years = local.ratings?.years ?? [];
  list.replaceChildren(
    ...(years.length === 0
      ? [el('li', { className: 'timeline-empty' }, t('ratings.none', { org: local.orgId }))]
      : [...years].reverse().map((y) =>
          el(
            'li',
            { dataset: { testid: 'org-rating', year: String(y.year) } },
            t('ratings.line', { year: y.year, stars: '★'.repeat(y.stars), score: formatCount(y.totalScore, lang), verdict: t(y.passed ? 'org.passed' : 'org.failed'), rubric: `${y.rubricId} v${y.rubricVersion}` }),
            y.correctionReason ? el('div', { className: 'hint' }, t('ratings.corrected', { reason: y.correctionReason, time: formatDateTime(y.correctedAt, lang) })) : null,
          ),
        )),
  );
}

const assessmentFields = () =>
  /** @type {import('../dom.js').FieldSpec[]} */ ([
    { name: 'orgId', label: 'ratings.orgId', required: true, value: local.orgId ?? '' },
    { name: 'year', label: 'funding.year', type: 'number', value: String(new Date().getFullYear() - 1), required: true },
    { name: 'rubricId', label: 'ratings.rubricId', value: 'five-standards', required: true },
    { name: 'scores', label: 'ratings.scores', type: 'textarea', placeholder: 'ratings.scoresPlaceholder', required: true, hint: 'ratings.scoresHint' },
  ]);

/**
 * @param {HTMLFormElement} form
 * @param {string} errPrefix
 * @param {string[]} extraRequired
 */
function assessmentBody(form, errPrefix, extraRequired) {
  const v = formValues(form);
  const { scores, problems: badScores } = parseScores(v.scores);
  const problems = [
    ...['orgId', 'rubricId', ...extraRequired].filter((f) => !v[f]?.trim()).map((field) => ({ field, reason: 'required' })),
    ...(Number.isInteger(Number(v.year)) && v.year ? [] : [{ field: 'year', reason: 'required' }]),
    ...(badScores.length || Object.keys(scores).length === 0 ? [{ field: 'scores', reason: 'scores-unreadable' }] : []),
  ];
  if (problems.length) {
    showFieldErrors(form, errPrefix, problems);
    return null;
  }
  return { v, body: { orgId: v.orgId.trim(), year: Number(v.year), rubricId: v.rubricId.trim(), scores } };
}

function assessForm() {
  return buildForm({
    id: 'assessment-form',
    prefix: 'as-',
    legend: 'ratings.assessLegend',
    submit: 'ratings.assess',
    fields: [...assessmentFields(), { name: 'assessor', label: 'ratings.assessor' }],
    onsubmit: async (form) => {
      const parsed = assessmentBody(form, 'as-err-', []);
      if (!parsed) return;
      const body = { ...parsed.body, district: shared().district, ...(parsed.v.assessor?.trim() && { assessor: parsed.v.assessor.trim() }) };
      const answer = await submitForm(form, 'as-err-', () => api('/api/evaluation/assessments', { method: 'POST', body }));
      if (!answer) return;
      $('#assessment-result').textContent = shared().t('ratings.result', { stars: '★'.repeat(answer.stars ?? 0), score: answer.totalScore, verdict: shared().t(answer.passed ? 'org.passed' : 'org.failed') });
      local.orgId = body.orgId;
      await Promise.all([loadInto('evaluation', loadDistrict), loadOrg()]);
    },
  });
}

function correctForm() {
  return buildForm({
    id: 'correction-form',
    prefix: 'ac-',
    legend: 'ratings.correctLegend',
    submit: 'ratings.correct',
    hint: 'ratings.correctHint',
    fields: [...assessmentFields(), { name: 'reason', label: 'instructors.correctionReason', required: true }],
    onsubmit: async (form) => {
      const parsed = assessmentBody(form, 'ac-err-', ['reason']);
      if (!parsed) return;
      const body = { ...parsed.body, reason: parsed.v.reason.trim() };
      const answer = await submitForm(form, 'ac-err-', () => api('/api/evaluation/assessments/corrections', { method: 'POST', body }));
      if (!answer) return;
      local.orgId = body.orgId;
      await Promise.all([loadInto('evaluation', loadDistrict), loadOrg()]);
    },
  });
}

/** @type {import('../panel.js').Panel} */
export const evaluationPanel = {
  id: 'evaluation',
  load: loadDistrict,
  refresh: () => Promise.all([loadDistrict(), local.orgId ? loadOrg() : undefined]),
  render() {
    renderDistrict();
    renderOrg();
  },
  wire() {
    $('#ratings-org-form').addEventListener('submit', (/** @type {Event} */ e) => {
      e.preventDefault();
      const id = $('#ratings-org-id').value.trim();
      if (id) showOrgRatings(id);
    });
  },
};
