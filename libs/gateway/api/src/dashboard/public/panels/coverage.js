// @ts-check
// 辖区覆盖情况: the district's figures, the gauge against the target, districts side by side, the 12-month trend.
import { api, enc } from '../api.js';
import { $, el } from '../dom.js';
import { formatCount, formatDateTime, formatRate, meetsTarget, monthlySamples } from '../lib.js';
import { shared, update } from '../store.js';
import { lookUp } from './enterprise.js';

const TREND_MONTHS = 12;

const COLORS = {
  organisational: '#b3261e',
  overall: '#d99a1c',
  target: '#1f6f43',
  belowTarget: '#b3261e',
  meetsTarget: '#1f6f43',
  track: '#eee6de',
};

/** @type {{ coverage: Record<string, any> | null, trend: Array<{ label: string, asOf: string, coverage: Record<string, any> | null }>, charts: Record<string, any> }} */
const local = { coverage: null, trend: [], charts: {} };

/** The districts the caller sees, and the target; keeps the district shown when it is still one of them. */
export async function loadDistricts() {
  const answer = await api('/api/coverage/districts');
  const districts = answer?.items ?? [];
  const known = districts.map((/** @type {any} */ d) => d.district);
  const { district } = shared();
  update({ districts, target: typeof answer?.target === 'number' ? answer.target : shared().target, district: known.includes(district) ? district : known[0] ?? '' });
  renderDistrictSelect();
  renderDistrictsTable();
  renderDistrictsChart();
}

async function loadCoverage() {
  const { district } = shared();
  local.coverage = district ? await api(`/api/coverage?district=${enc(district)}`) : null;
  renderCoverage();
}

async function loadTrend() {
  const { district } = shared();
  if (!district) {
    local.trend = [];
    renderTrendChart();
    return;
  }
  const points = await Promise.all(
    monthlySamples(new Date(), TREND_MONTHS).map(async (sample) => {
      const coverage = await api(`/api/coverage?district=${enc(district)}&asOf=${enc(sample.asOf)}`).catch(() => null);
      return { ...sample, coverage };
    }),
  );
  if (district === shared().district) {
    local.trend = points;
    renderTrendChart();
  }
}

/** Only the last point of the trend moves with live updates. */
async function refreshCurrentMonth() {
  const { district } = shared();
  if (!district || local.trend.length === 0) return;
  const latest = local.trend[local.trend.length - 1];
  const asOf = new Date().toISOString();
  const coverage = await api(`/api/coverage?district=${enc(district)}&asOf=${enc(asOf)}`);
  local.trend = [...local.trend.slice(0, -1), { ...latest, asOf, coverage }];
  renderTrendChart();
}

function renderDistrictSelect() {
  const { districts, district, t } = shared();
  const select = $('#district-select');
  select.replaceChildren(...districts.map((d) => el('option', { value: d.district, selected: d.district === district }, t.label('district', d.district))));
  select.disabled = districts.length === 0;
}

function renderCoverage() {
  const { t, lang, target, districts } = shared();
  const c = local.coverage;
  /** @param {string} testid @param {string} text */
  const set = (testid, text) => {
    $(`[data-testid="${testid}"]`).textContent = text;
  };
  set('coverage-target', t('coverage.target', { rate: formatRate(target, lang) }));
  set('coverage-enterprises', formatCount(c?.enterprises, lang));
  set('coverage-with-members', formatCount(c?.withMembers, lang));
  set('coverage-organisational', formatCount(c?.organisational, lang));
  set('coverage-work', formatCount(c?.work, lang));
  set('coverage-none', formatCount(c?.none, lang));
  set('coverage-org-rate', formatRate(c?.organisationalRate, lang));
  set('coverage-overall-rate', formatRate(c?.overallRate, lang));
  $('[data-testid="coverage-overall-rate"]').dataset.meetsTarget = String(meetsTarget(c?.overallRate, target));
  $('#coverage-as-of').textContent = c ? t('coverage.asOf', { time: formatDateTime(c.asOf, lang) }) : districts.length === 0 ? t('coverage.noData') : '';
  renderUncoveredLarge();
  renderGauge();
}

function renderUncoveredLarge() {
  const list = $('#uncovered-large-list');
  /** @type {string[]} */
  const codes = local.coverage?.uncoveredLarge ?? [];
  if (codes.length === 0) {
    list.replaceChildren(el('li', { className: 'chip-empty' }, shared().t('coverage.uncoveredLargeNone')));
    return;
  }
  list.replaceChildren(...codes.map((code) => el('li', {}, el('button', { type: 'button', className: 'chip mono', dataset: { testid: 'uncovered-code' }, onclick: () => lookUp(code) }, code))));
}

function renderDistrictsTable() {
  const { lang, t, target, districts } = shared();
  const rows = districts.map((d) =>
    el(
      'tr',
      { dataset: { district: d.district } },
      el('th', { scope: 'row' }, t.label('district', d.district)),
      ...[d.enterprises, d.withMembers, d.organisational, d.work, d.none].map((n) => el('td', { className: 'numeric' }, formatCount(n, lang))),
      el('td', { className: 'numeric' }, formatRate(d.organisationalRate, lang)),
      el('td', { className: `numeric ${meetsTarget(d.overallRate, target) ? 'ok' : 'below'}` }, formatRate(d.overallRate, lang)),
    ),
  );
  $('#districts-table tbody').replaceChildren(...rows);
}

/** @param {string} id */
function chart(id) {
  const echarts = /** @type {any} */ (window).echarts;
  if (!echarts) return null;
  const node = /** @type {HTMLElement} */ (document.getElementById(id));
  if (!local.charts[id]) {
    local.charts[id] = echarts.init(node, null, { renderer: 'svg' });
    new ResizeObserver(() => local.charts[id].resize()).observe(node);
  }
  return local.charts[id];
}

const percentAxis = () => ({
  type: 'value',
  min: 0,
  max: 1,
  axisLabel: { formatter: (/** @type {number} */ v) => `${Math.round(v * 100)}%` },
  splitLine: { lineStyle: { color: '#eee' } },
});

function targetLine() {
  const { t, target, lang } = shared();
  return {
    silent: true,
    symbol: 'none',
    lineStyle: { color: COLORS.target, type: 'dashed', width: 1.5 },
    label: { position: 'insideEndTop', formatter: t('chart.targetLine', { rate: formatRate(target, lang) }), color: COLORS.target },
    data: [{ yAxis: target }],
  };
}

function renderGauge() {
  const gauge = chart('coverage-gauge');
  const rate = local.coverage?.overallRate;
  const { t, lang, target } = shared();
  $('#coverage-gauge').setAttribute('aria-label', t('chart.gaugeAria', { rate: formatRate(rate, lang), target: formatRate(target, lang) }));
  if (!gauge) return;
  const good = meetsTarget(rate, target);
  gauge.setOption(
    {
      aria: { enabled: true },
      series: [
        {
          type: 'gauge',
          min: 0,
          max: 100,
          splitNumber: 4,
          startAngle: 210,
          endAngle: -30,
          radius: '92%',
          progress: { show: true, width: 16, itemStyle: { color: good ? COLORS.meetsTarget : COLORS.belowTarget } },
          axisLine: { lineStyle: { width: 16, color: [[target, COLORS.track], [1, '#dcefe3']] } },
          axisTick: { show: false },
          splitLine: { length: 8, lineStyle: { color: '#bbb' } },
          axisLabel: { distance: 22, color: '#666', formatter: (/** @type {number} */ v) => (v > 0 && v < 100 && v % 25 === 0 ? `${v}%` : '') },
          pointer: { show: false },
          anchor: { show: false },
          title: { offsetCenter: [0, '62%'], fontSize: 13, color: '#555' },
          detail: { offsetCenter: [0, '2%'], fontSize: 28, fontWeight: 600, color: good ? COLORS.meetsTarget : COLORS.belowTarget, formatter: () => formatRate(rate, lang) },
          data: [{ value: typeof rate === 'number' ? Math.round(rate * 1000) / 10 : 0, name: t('chart.targetShort', { rate: formatRate(target, lang) }) }],
        },
      ],
    },
    true,
  );
}

function renderDistrictsChart() {
  const bars = chart('districts-chart');
  const { t, districts } = shared();
  $('#districts-chart').setAttribute('aria-label', t('chart.districtsAria'));
  if (!bars) return;
  bars.setOption(
    {
      aria: { enabled: true },
      grid: { left: 48, right: 16, top: 36, bottom: 40 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (/** @type {number} */ v) => formatRate(v, shared().lang) },
      xAxis: { type: 'category', data: districts.map((d) => t.label('district', d.district)), axisLabel: { interval: 0, rotate: districts.length > 8 ? 30 : 0 } },
      yAxis: percentAxis(),
      series: [
        { name: t('coverage.orgRate'), type: 'bar', data: districts.map((d) => d.organisationalRate), itemStyle: { color: COLORS.organisational }, barMaxWidth: 28 },
        { name: t('coverage.overallRate'), type: 'bar', data: districts.map((d) => d.overallRate), itemStyle: { color: COLORS.overall }, barMaxWidth: 28, markLine: targetLine() },
      ],
    },
    true,
  );
  bars.off('click');
  bars.on('click', (/** @type {{ dataIndex: number }} */ params) => {
    const district = shared().districts[params.dataIndex]?.district;
    if (district) update({ district });
  });
}

function renderTrendChart() {
  const line = chart('trend-chart');
  const { t, district } = shared();
  $('#trend-chart').setAttribute('aria-label', t('chart.trendAria', { district: t.label('district', district) }));
  if (!line) return;
  /** @param {{ coverage: Record<string, any> | null }} point @param {string} field */
  const value = (point, field) => (typeof point.coverage?.[field] === 'number' ? point.coverage[field] : null);
  line.setOption(
    {
      aria: { enabled: true },
      grid: { left: 48, right: 24, top: 36, bottom: 32 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (/** @type {number} */ v) => formatRate(v, shared().lang) },
      xAxis: { type: 'category', boundaryGap: false, data: local.trend.map((p) => p.label) },
      yAxis: percentAxis(),
      series: [
        { name: t('coverage.orgRate'), type: 'line', smooth: true, connectNulls: true, data: local.trend.map((p) => value(p, 'organisationalRate')), itemStyle: { color: COLORS.organisational } },
        { name: t('coverage.overallRate'), type: 'line', smooth: true, connectNulls: true, data: local.trend.map((p) => value(p, 'overallRate')), itemStyle: { color: COLORS.overall }, areaStyle: { opacity: 0.08 }, markLine: targetLine() },
      ],
    },
    true,
  );
}

/** @type {import('../panel.js').Panel} */
export const coveragePanel = {
  id: 'coverage',
  load: () => Promise.all([loadCoverage(), loadTrend()]),
  refresh: () => Promise.all([loadDistricts().then(loadCoverage), refreshCurrentMonth()]),
  render() {
    renderDistrictSelect();
    renderCoverage();
    renderDistrictsTable();
    renderDistrictsChart();
    renderTrendChart();
  },
  wire() {
    $('#district-select').addEventListener('change', (/** @type {Event} */ e) => update({ district: /** @type {HTMLSelectElement} */ (e.target).value }));
  },
};
