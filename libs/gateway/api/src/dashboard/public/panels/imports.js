// @ts-check
// 名录导入: a register file (CSV or XLSX) uploaded to POST /api/imports; the job is polled until it
// finishes, then its counts and refused rows are shown and its report can be downloaded.
import { ApiError, api, describeFailure, downloadFile, enc } from '../api.js';
import { $, el } from '../dom.js';
import { formatCount } from '../lib.js';
import { shared } from '../store.js';

const POLL_MS = 500;

const local = {
  /** @type {Record<string, any> | null} */
  job: null,
  /** @type {Array<Record<string, any>>} refused rows of the finished job's report */
  refused: [],
  /** @type {string} what went wrong, in the reader's words */
  problem: '',
};

/** @param {number} ms */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * multipart upload with the bearer token (api() sends JSON only)
 * @param {File} file
 */
async function upload(file) {
  const form = new FormData();
  form.append('file', file, file.name);
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  const { token } = shared();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch('/api/imports', { method: 'POST', headers, body: form });
  } catch (cause) {
    throw new ApiError(0, { message: String(cause) });
  }
  const text = await response.text();
  let payload = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    payload = { message: text };
  }
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

async function submitUpload(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('#import-file'));
  const file = input.files?.[0];
  local.problem = '';
  local.refused = [];
  if (!file) {
    local.problem = shared().t('imports.noFile');
    return render();
  }
  const submit = /** @type {HTMLButtonElement} */ ($('#import-submit'));
  submit.disabled = true;
  try {
    local.job = await upload(file);
    render();
    while (local.job?.status === 'running') {
      await pause(POLL_MS);
      local.job = await api(`/api/imports/${enc(local.job.id)}`);
      render();
    }
    if (local.job?.status === 'succeeded') {
      const report = await api(`/api/imports/${enc(local.job.id)}/report`);
      local.refused = (report?.rows ?? []).filter((/** @type {any} */ row) => row.outcome === 'refused');
    }
  } catch (error) {
    local.problem = describeFailure(error);
  } finally {
    submit.disabled = false;
  }
  render();
}

function render() {
  const { t, lang } = shared();
  const job = local.job;
  const problem = $('#import-problem');
  problem.textContent = local.problem || (job?.status === 'failed' ? t('imports.failed', { reason: job.error ?? '' }) : '');
  problem.hidden = !problem.textContent;
  const status = $('#import-status');
  status.hidden = !job;
  if (job) {
    status.dataset.status = job.status;
    status.textContent =
      job.status === 'running'
        ? t('imports.running', { file: job.fileName, done: formatCount(job.progress?.done ?? 0, lang), total: formatCount(job.progress?.total ?? 0, lang) })
        : job.status === 'succeeded'
          ? t('imports.succeeded', { file: job.fileName })
          : t('imports.stopped', { file: job.fileName });
  }
  const counts = job?.counts;
  $('#import-counts').hidden = !counts;
  if (counts) {
    $('#import-counts').replaceChildren(
      ...(/** @type {const} */ (['registered', 'updated', 'unchanged', 'refused'])).flatMap((outcome) => [
        el('dt', {}, t(`imports.outcome.${outcome}`)),
        el('dd', { className: 'numeric', dataset: { testid: `import-count-${outcome}` } }, formatCount(counts[outcome] ?? 0, lang)),
      ]),
    );
  }
  $('#import-refused').hidden = local.refused.length === 0;
  $('#import-refused tbody').replaceChildren(
    ...local.refused.map((row) =>
      el(
        'tr',
        { dataset: { testid: 'import-refused-row' } },
        el('td', { className: 'numeric' }, String(row.row)),
        el('td', { className: 'mono' }, row.creditCode ?? '—'),
        el('td', {}, row.column ?? '—'),
        el('td', {}, t.has(`code.${row.code}`) ? t(`code.${row.code}`) : (row.reason ?? row.code ?? '')),
      ),
    ),
  );
  $('#import-report').hidden = job?.status !== 'succeeded';
}

async function downloadReport() {
  const job = local.job;
  if (!job) return;
  try {
    await downloadFile(`/api/imports/${enc(job.id)}/report?format=xlsx`, `import-report-${job.id}.xlsx`);
  } catch (error) {
    local.problem = describeFailure(error);
    render();
  }
}

/** @type {import('../panel.js').Panel} */
export const importsPanel = {
  id: 'imports',
  render,
  wire() {
    $('#import-form').addEventListener('submit', submitUpload);
    $('#import-report').addEventListener('click', downloadReport);
  },
};
