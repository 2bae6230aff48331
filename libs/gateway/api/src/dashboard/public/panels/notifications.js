// @ts-check
// 提醒: what needs the officer now, re-read with every live update of the read models: requests past
// their due date, proposals waiting for approval, organisations below the three full members a
// branch needs. News (a count that grew) is also announced in the toast.
import { $, el, toast } from '../dom.js';
import { formatCount, isBelowThreshold, notificationsOf } from '../lib.js';
import { readList } from '../paging.js';
import { shared } from '../store.js';
import { openOrg } from './orgs.js';
import { pendingProposalCount } from './proposals.js';
import { overdueCount } from './requests.js';

/** enough to find every organisation of a district below the threshold in one read */
const ORGS_SCANNED = 500;

const local = {
  /** @type {Array<{ kind: string, count: number, orgs?: any[] }> | null} what was said last (null: nothing yet, so nothing is news) */
  items: null,
  district: '',
};

async function load() {
  const { district } = shared();
  if (!district) {
    local.items = [];
    return render();
  }
  const answer = await readList(`/api/orgs?${new URLSearchParams({ district, status: 'active', limit: String(ORGS_SCANNED) })}`);
  /** @type {any[]} */
  const orgs = Array.isArray(answer) ? answer : answer?.items ?? [];
  const belowThreshold = orgs.filter(isBelowThreshold);
  // a change of district starts afresh: its figures are not news
  const previous = district === local.district ? local.items : null;
  const { items, fresh } = notificationsOf({ overdue: overdueCount(), pendingProposals: pendingProposalCount(), belowThreshold }, previous);
  local.items = items;
  local.district = district;
  render();
  if (fresh.length) toast(fresh.map((kind) => textOf(/** @type {any} */ (items.find((i) => i.kind === kind)))).join('；'));
}

/** @param {{ kind: string, count: number }} item */
function textOf(item) {
  return shared().t(`notify.${item.kind}`, { count: formatCount(item.count, shared().lang) });
}

/** @param {string} target */
const goTo = (target) => $(target)?.scrollIntoView({ behavior: 'smooth', block: 'start' });

function render() {
  const { t } = shared();
  const items = local.items ?? [];
  const total = items.length;
  const badge = $('#notifications-count');
  badge.textContent = String(total);
  badge.hidden = total === 0;
  $('#notifications-list').replaceChildren(
    ...(total === 0
      ? [el('li', { className: 'hint', dataset: { testid: 'notifications-none' } }, t('notify.none'))]
      : items.map((item) =>
          el(
            'li',
            { dataset: { testid: 'notification', kind: item.kind, count: String(item.count) } },
            el('button', { type: 'button', className: 'link', onclick: () => goTo(item.kind === 'overdue' ? '#requests' : item.kind === 'proposals' ? '#proposals' : '#orgs') }, textOf(item)),
            item.orgs
              ? el(
                  'ul',
                  { className: 'chip-list' },
                  item.orgs.slice(0, 5).map((org) => el('li', {}, el('button', { type: 'button', className: 'chip', onclick: () => openOrg(org.id) }, `${org.name ?? org.id}（${formatCount(org.fullMembers, shared().lang)}）`))),
                )
              : null,
          ),
        )),
  );
}

/** @type {import('../panel.js').Panel} */
export const notificationsPanel = {
  id: 'notifications',
  load,
  render,
  wire() {
    $('#notifications-button').addEventListener('click', () => {
      const list = $('#notifications-panel');
      list.hidden = !list.hidden;
      $('#notifications-button').setAttribute('aria-expanded', String(!list.hidden));
    });
  },
};
