// @ts-check
// 企业台账: the district's enterprises searched by a name fragment or the start of the credit code,
// filtered by coverage, a page at a time with the total; every match exported as xlsx or csv.
import { describeFailure, downloadFile } from '../api.js';
import { $, el, loadInto, showPanelError } from '../dom.js';
import { formatCount } from '../lib.js';
import { createPagedList, PAGE_SIZE } from '../paging.js';
import { shared } from '../store.js';
import { lookUp } from './enterprise.js';

const local = { q: '', coverage: '', loaded: false };

/** the search as query parameters, without paging */
function searchQuery() {
  const query = new URLSearchParams({ district: shared().district });
  if (local.q) query.set('q', local.q);
  if (local.coverage) query.set('coverage', local.coverage);
  return query;
}

const list = createPagedList((cursor, limit) => {
  const query = searchQuery();
  query.set('limit', String(limit));
  if (cursor) query.set('cursor', cursor);
  return `/api/enterprises?${query}`;
});

/** @param {'xlsx' | 'csv'} format */
function exportPath(format) {
  const query = searchQuery();
  query.set('format', format);
  return `/api/enterprises?${query}`;
}

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
  const { t, lang } = shared();
  const view = list.view();
  $('#ledger-table tbody').replaceChildren(
    ...view.items.map((/** @type {any} */ e) =>
      el(
        'tr',
        { dataset: { testid: 'ledger-row', creditCode: e.creditCode } },
        el('th', { scope: 'row' }, el('button', { type: 'button', className: 'link', onclick: () => lookUp(e.creditCode) }, e.name ?? e.creditCode), el('div', { className: 'mono hint' }, e.creditCode)),
        el('td', {}, [e.park, e.building, e.industryChain].filter(Boolean).join(' · ') || '—'),
        el('td', { className: 'numeric' }, formatCount(e.employees, lang)),
        el('td', { className: 'numeric' }, `${formatCount(e.fullMembers, lang)} / ${formatCount(e.probationaryMembers, lang)}`),
        el('td', {}, el('span', { className: `badge badge-${e.coverage === 'awaiting-joint' ? 'work' : (e.coverage ?? 'none')}` }, t.label('coverageKind', e.coverage))),
      ),
    ),
  );
  $('#ledger-more').hidden = !view.hasMore;
  $('#ledger-summary').textContent = local.loaded ? (view.total === 0 ? t('ledger.none') : t('ledger.summary', { total: formatCount(view.total, lang), shown: formatCount(view.items.length, lang) })) : '';
  for (const format of /** @type {const} */ (['xlsx', 'csv'])) {
    const link = /** @type {HTMLAnchorElement} */ ($(`#ledger-export-${format}`));
    link.href = exportPath(format);
  }
}

/** @param {'xlsx' | 'csv'} format */
function exportLedger(format) {
  return async (/** @type {Event} */ event) => {
    event.preventDefault();
    try {
      await downloadFile(exportPath(format), `ledger.${format}`);
    } catch (error) {
      showPanelError('ledger', describeFailure(error));
    }
  };
}

/** @type {import('../panel.js').Panel} */
export const ledgerPanel = {
  id: 'ledger',
  load,
  // the first page follows the figures; pages an officer loaded beyond it stay until the search changes
  refresh: () => (list.shownCount <= PAGE_SIZE ? load() : Promise.resolve()),
  render,
  wire() {
    $('#ledger-form').addEventListener('submit', (/** @type {Event} */ e) => {
      e.preventDefault();
      local.q = $('#ledger-q').value.trim();
      local.coverage = $('#ledger-coverage').value;
      showPanelError('ledger', '');
      loadInto('ledger', load);
    });
    $('#ledger-more').addEventListener('click', () => loadInto('ledger', () => list.more().then(render)));
    $('#ledger-export-xlsx').addEventListener('click', exportLedger('xlsx'));
    $('#ledger-export-csv').addEventListener('click', exportLedger('csv'));
  },
};
