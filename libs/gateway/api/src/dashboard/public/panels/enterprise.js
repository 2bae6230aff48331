// @ts-check
// 企业查询 and 企业登记: one enterprise's record and history, its member count and operating
// status; registering a new one with the credit code checked as it is typed.
import { api, ApiError, describeFailure, enc, reasonText } from '../api.js';
import { $, clearFieldErrors, el, factNodes, formValues, renderTimeline, showFieldErrors, showSubmitFailure, submitForm } from '../dom.js';
import { checkCreditCode, checkRegistration, formatCount, registrationPayload } from '../lib.js';
import { shared } from '../store.js';
import { openOrg } from './orgs.js';

const local = {
  /** @type {Record<string, any> | null} */
  enterprise: null,
  /** @type {Array<Record<string, any>>} */
  audit: [],
  /** @type {Record<string, any> | null} */
  lastRegistered: null,
};

/**
 * Shows one enterprise (from the lookup form, a worklist row, an organisation, a notification).
 * @param {string} rawCode
 * @param {{ minPosition?: number }} [options]
 */
export async function lookUp(rawCode, { minPosition } = {}) {
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
    const [enterprise, audit] = await Promise.all([api(`/api/enterprises/${enc(code)}`, { minPosition }), api(`/api/audit/enterprises/${enc(code)}`, { minPosition })]);
    local.enterprise = enterprise;
    local.audit = audit?.items ?? [];
  } catch (failure) {
    local.enterprise = null;
    error.textContent = failure instanceof ApiError && failure.status === 404 ? shared().t('enterprise.notFound', { code }) : describeFailure(failure);
    error.hidden = false;
  }
  renderEnterprise();
  if (local.enterprise) $('#enterprise').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

/** @param {string} code */
async function lookUpQuietly(code) {
  const [enterprise, audit] = await Promise.all([api(`/api/enterprises/${enc(code)}`), api(`/api/audit/enterprises/${enc(code)}`)]);
  if (local.enterprise?.creditCode !== code) return;
  local.enterprise = enterprise;
  local.audit = audit?.items ?? [];
  renderEnterprise();
}

function renderEnterprise() {
  const panel = $('#enterprise-result');
  const e = local.enterprise;
  panel.hidden = !e;
  if (!e) return;
  const { t, lang } = shared();
  $('#enterprise-name').textContent = e.name ?? e.creditCode;
  $('#enterprise-code').textContent = e.creditCode;
  const badge = $('#enterprise-coverage');
  badge.textContent = t.label('coverageKind', e.coverage);
  badge.dataset.coverage = e.coverage ?? 'none';
  badge.className = `badge badge-${e.coverage === 'awaiting-joint' ? 'work' : (e.coverage ?? 'none')}`;
  const reason = $('#enterprise-coverage-reason');
  reason.hidden = !e.coverageReason;
  reason.textContent = e.coverageReason ? t('enterprise.coverageReason', { reason: t.label('coverageReason', e.coverageReason) }) : '';
  /** @type {Array<[string, any]>} */
  const facts = [
    [t('field.district'), t.label('district', e.district)],
    [t('field.employees'), formatCount(e.employees, lang)],
    [t('field.fullMembers'), formatCount(e.fullMembers, lang)],
    [t('field.probationaryMembers'), formatCount(e.probationaryMembers, lang)],
    [t('field.operatingStatus'), t.label('operatingStatus', e.operatingStatus)],
    [t('field.orgMode'), t.label('mode', e.orgMode)],
  ];
  const orgValue = e.orgId
    ? el('button', { type: 'button', className: 'link mono', dataset: { testid: 'enterprise-org' }, onclick: () => openOrg(e.orgId).then(() => $('#orgs').scrollIntoView({ behavior: 'smooth', block: 'start' })) }, e.orgId)
    : t('enterprise.noOrg');
  $('#enterprise-facts').replaceChildren(...factNodes(facts), el('dt', {}, t('field.org')), el('dd', {}, orgValue));
  $('#mc-full').value = e.fullMembers ?? '';
  $('#mc-probationary').value = e.probationaryMembers ?? '';
  if (e.operatingStatus) $('#os-status').value = e.operatingStatus;
  renderTimeline($('#enterprise-audit'), local.audit);
}

async function submitRegistration(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const result = $('#register-result');
  result.hidden = true;
  const payload = registrationPayload(formValues(form));
  const problems = checkRegistration(payload);
  if (problems.length) return showFieldErrors(form, 'err-', /** @type {Array<{ field: string, reason: string }>} */ (problems));
  clearFieldErrors(form);
  const submit = $('#register-submit');
  submit.disabled = true;
  try {
    const answer = await api('/api/enterprises', { method: 'POST', body: payload });
    // what the registration caused (a settled read): the officer sees at once how the enterprise is covered
    const outcome = await api(`/api/enterprises/${enc(answer.creditCode)}`, { minPosition: answer.position }).catch(() => null);
    local.lastRegistered = { ...answer, name: payload.name, outcome };
    renderRegistrationResult();
    form.reset();
    result.hidden = false;
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) showFieldErrors(form, 'err-', [{ field: 'creditCode', reason: 'already-registered' }]);
    else showSubmitFailure(form, 'err-', error);
  } finally {
    submit.disabled = false;
  }
}

function renderRegistrationResult() {
  const r = local.lastRegistered;
  if (!r) return;
  const { t } = shared();
  $('#register-result .success-text').textContent = t('register.done', { name: r.name, code: r.creditCode, district: t.label('district', r.district), position: r.position }) + registrationOutcome(r.outcome);
}

/** @param {Record<string, any> | null} enterprise */
function registrationOutcome(enterprise) {
  const { t } = shared();
  if (!enterprise) return '';
  if (enterprise.coverage === 'organisational') return ' ' + t('register.outcomeCovered', { mode: t.label('mode', enterprise.orgMode), org: enterprise.orgId });
  return ' ' + t('register.outcomeNotCovered', { reason: t.label('coverageReason', enterprise.coverageReason ?? 'none') });
}

function hintCreditCode() {
  const { t } = shared();
  const value = $('#reg-creditCode').value.trim();
  const hint = $('#hint-creditCode');
  if (value.length < 18) {
    hint.textContent = t('hint.creditCode');
    hint.dataset.state = 'neutral';
    return;
  }
  const check = checkCreditCode(value);
  hint.textContent = check.ok ? t('hint.creditCodeOk', { district: t.label('district', check.district) }) : reasonText(check.reason);
  hint.dataset.state = check.ok ? 'ok' : 'problem';
}

async function submitMemberCount(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const values = formValues(form);
  const body = {
    fullMembers: values.fullMembers === '' ? Number.NaN : Number(values.fullMembers),
    probationaryMembers: values.probationaryMembers === '' ? Number.NaN : Number(values.probationaryMembers),
    reason: values.reason,
  };
  const problems = /** @type {const} */ (['fullMembers', 'probationaryMembers'])
    .filter((field) => !Number.isInteger(body[field]) || body[field] < 0)
    .map((field) => ({ field, reason: 'not-a-non-negative-integer' }));
  if (problems.length) return showFieldErrors(form, 'mc-err-', problems);
  await submitEnterpriseChange(form, 'mc-err-', 'member-count', body);
}

async function submitOperatingStatus(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  await submitEnterpriseChange(form, 'os-err-', 'operating-status', { status: formValues(form).status });
}

/**
 * @param {HTMLFormElement} form
 * @param {string} prefix
 * @param {string} path
 * @param {object} body
 */
async function submitEnterpriseChange(form, prefix, path, body) {
  const code = local.enterprise?.creditCode;
  if (!code) return;
  const answer = await submitForm(form, prefix, () => api(`/api/enterprises/${enc(code)}/${path}`, { method: 'POST', body }));
  if (answer) await lookUp(code, { minPosition: answer.position });
}

/** @type {import('../panel.js').Panel} */
export const enterprisePanel = {
  id: 'enterprise',
  refresh: () => (local.enterprise ? lookUpQuietly(local.enterprise.creditCode) : Promise.resolve()),
  render() {
    renderEnterprise();
    renderRegistrationResult();
    hintCreditCode();
  },
  wire() {
    $('#lookup-form').addEventListener('submit', (/** @type {Event} */ e) => {
      e.preventDefault();
      lookUp($('#lookup-code').value);
    });
    $('#register-form').addEventListener('submit', submitRegistration);
    $('#register-form').addEventListener('reset', (/** @type {Event} */ e) => {
      clearFieldErrors(/** @type {HTMLFormElement} */ (e.currentTarget));
      queueMicrotask(hintCreditCode);
    });
    $('#reg-creditCode').addEventListener('input', hintCreditCode);
    $('#register-view').addEventListener('click', () => {
      const r = local.lastRegistered;
      if (r) lookUp(r.creditCode, { minPosition: r.position });
    });
    $('#member-count-form').addEventListener('submit', submitMemberCount);
    $('#operating-status-form').addEventListener('submit', submitOperatingStatus);
  },
};
