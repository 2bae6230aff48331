// @ts-check
// 统计报表: one of the statistics tables (GET /api/statistics/…) for the district shown, as of a date,
// with its headers in the reader's language; exported as xlsx or csv, or opened as its A4 print page.
import { api, describeFailure, downloadFile } from '../api.js';
import { $, el, loadInto, showPanelError } from '../dom.js';
import { formatCount, formatDateTime, formatRate, localeOf } from '../lib.js';
import { shared } from '../store.js';

/** the tables an officer can choose: value of the select → route (and its `by`) */
export const STATISTICS_TABLES = /** @type {const} */ ({
  formation: { route: 'formation' },
  'coverage-district': { route: 'coverage', by: 'district' },
  'coverage-park': { route: 'coverage', by: 'park' },
  'coverage-industry-chain': { route: 'coverage', by: 'industry-chain' },
  'coverage-building': { route: 'coverage', by: 'building' },
  'coverage-ownership': { route: 'coverage', by: 'ownership' },
  assignees: { route: 'assignees' },
  pairings: { route: 'pairings' },
  stars: { route: 'stars' },
  requests: { route: 'requests' },
  targets: { route: 'targets' },
});

/** @typedef {keyof typeof STATISTICS_TABLES} TableChoice */

const local = {
  /** @type {TableChoice} */
  choice: 'formation',
  asOf: '',
  /** @type {{ title: { zh: string, en: string }, asOf: string, columns: Array<{ key: string, zh: string, en: string, kind?: string }>, rows: Array<Record<string, string | number | null>>, notes?: string[] } | null} */
  table: null,
};

/** @param {'json' | 'xlsx' | 'csv' | 'html'} format */
function tablePath(format) {
  const spec = STATISTICS_TABLES[local.choice];
  const query = new URLSearchParams();
  if (shared().district) query.set('district', shared().district);
  if ('by' in spec) query.set('by', spec.by);
  // a date is the end of that day, Beijing time (the figures as they stood when it closed)
  if (local.asOf) query.set('asOf', new Date(`${local.asOf}T23:59:59.999+08:00`).toISOString());
  if (format !== 'json') query.set('format', format);
  return `/api/statistics/${spec.route}?${query}`;
}

async function load() {
  if (!shared().district) {
    local.table = null;
    return render();
  }
  local.table = await api(tablePath('json'));
  render();
}

/**
 * @param {string | number | null | undefined} value
 * @param {string | undefined} kind
 */
function cellText(value, kind) {
  const { lang } = shared();
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value !== 'number') return String(value);
  if (kind === 'percent') return formatRate(value, lang);
  if (kind === 'count') return formatCount(value, lang);
  return value.toLocaleString(localeOf(lang));
}

function render() {
  const { t, lang } = shared();
  const table = local.table;
  $('#statistics-title').textContent = table ? (lang === 'en' ? table.title.en : table.title.zh) : '';
  $('#statistics-as-of').textContent = table ? t('statistics.asOfShown', { asOf: formatDateTime(table.asOf, lang) }) : '';
  const columns = table?.columns ?? [];
  $('#statistics-table thead').replaceChildren(el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', className: c.kind && c.kind !== 'text' ? 'numeric' : '' }, lang === 'en' ? c.en : c.zh))));
  $('#statistics-table tbody').replaceChildren(
    ...(table?.rows ?? []).map((row) =>
      el('tr', { dataset: { testid: 'statistics-row' } }, ...columns.map((c) => el('td', { className: c.kind && c.kind !== 'text' ? 'numeric' : '' }, cellText(row[c.key], c.kind)))),
    ),
  );
  $('#statistics-empty').hidden = !table || table.rows.length > 0;
  for (const format of /** @type {const} */ (['xlsx', 'csv', 'html'])) {
    const link = /** @type {HTMLAnchorElement} */ ($(`#statistics-export-${format}`));
    link.href = tablePath(format);
  }
}

/** @param {'xlsx' | 'csv' | 'html'} format */
function exportTable(format) {
  return async (/** @type {Event} */ event) => {
    event.preventDefault();
    try {
      await downloadFile(tablePath(format), `${local.choice}.${format}`, { open: format === 'html' });
    } catch (error) {
      showPanelError('statistics', describeFailure(error));
    }
  };
}

/** @type {import('../panel.js').Panel} */
export const statisticsPanel = {
  id: 'statistics',
  load,
  render,
  wire() {
    $('#statistics-form').addEventListener('submit', (/** @type {Event} */ e) => {
      e.preventDefault();
      local.choice = /** @type {TableChoice} */ ($('#statistics-table-choice').value);
      local.asOf = $('#statistics-as-of-date').value;
      loadInto('statistics', load);
    });
    $('#statistics-table-choice').addEventListener('change', () => $('#statistics-form').requestSubmit());
    for (const format of /** @type {const} */ (['xlsx', 'csv', 'html'])) $(`#statistics-export-${format}`).addEventListener('click', exportTable(format));
  },
};
