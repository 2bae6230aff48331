// @ts-check
// The officers' dashboard: wires the panels to the shared store, the token, the language toggle
// and the live stream. Each panel lives in panels/ and shows its own load errors.
import { onApiProblem } from './api.js';
import { $, $$, loadInto } from './dom.js';
import { connectLive, setLiveState } from './live.js';
import { shared, subscribe, update } from './store.js';
import { coveragePanel, loadDistricts } from './panels/coverage.js';
import { enterprisePanel } from './panels/enterprise.js';
import { evaluationPanel } from './panels/evaluation.js';
import { fundingPanel } from './panels/funding.js';
import { importsPanel } from './panels/imports.js';
import { instructorsPanel } from './panels/instructors.js';
import { ledgerPanel } from './panels/ledger.js';
import { notificationsPanel } from './panels/notifications.js';
import { orgsPanel } from './panels/orgs.js';
import { proposalsPanel } from './panels/proposals.js';
import { requestsPanel } from './panels/requests.js';
import { statisticsPanel } from './panels/statistics.js';
import { worklistPanel } from './panels/worklist.js';

/** @type {import('./panel.js').Panel[]} in page order; notifications last, as they read what the others loaded */
const PANELS = [coveragePanel, worklistPanel, orgsPanel, proposalsPanel, requestsPanel, fundingPanel, evaluationPanel, instructorsPanel, enterprisePanel, ledgerPanel, statisticsPanel, importsPanel, notificationsPanel];

/** Every panel's data for the district shown; each panel reports its own failure. */
async function loadDistrictPanels() {
  const panels = PANELS.filter((p) => p.load && p !== notificationsPanel);
  await Promise.all(panels.map((p) => loadInto(p.id, /** @type {() => Promise<unknown>} */ (p.load))));
  await loadInto(notificationsPanel.id, /** @type {() => Promise<unknown>} */ (notificationsPanel.load));
}

async function refreshEverything() {
  const before = shared().district;
  await loadInto('coverage', loadDistricts);
  // a district that changed is loaded by the store's subscriber
  if (shared().district === before) await loadDistrictPanels();
  await enterprisePanel.refresh?.();
}

/** What a projection update can change on screen. */
async function refreshVisible() {
  const panels = PANELS.filter((p) => p !== notificationsPanel && (p.refresh || p.load));
  await Promise.all(panels.map((p) => loadInto(p.id, /** @type {() => Promise<unknown>} */ (p.refresh ?? p.load))));
  await loadInto(notificationsPanel.id, /** @type {() => Promise<unknown>} */ (notificationsPanel.load));
}

function applyTranslations() {
  const { t, lang } = shared();
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  for (const node of $$('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of $$('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of $$('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
  for (const node of $$('[data-i18n-aria-label]')) node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  $('#lang-toggle').lang = lang === 'en' ? 'zh-CN' : 'en';
  document.title = t('app.title');
}

function renderAll() {
  renderAuthProblem();
  for (const panel of PANELS) panel.render();
  renderPositions();
  setLiveState($('#live-status').dataset.state);
  showNetworkProblem(!$('#network-message').hidden);
}

// ---------------------------------------------------------------- token and problems

function renderAuthProblem() {
  const banner = $('#auth-message');
  const { authProblem, t } = shared();
  if (!authProblem) {
    banner.hidden = true;
    return;
  }
  banner.dataset.status = String(authProblem);
  $('.banner-text', banner).textContent = authProblem === 403 ? t('auth.forbidden') : t('auth.unauthorised');
  banner.hidden = false;
}

/** @param {boolean} visible */
function showNetworkProblem(visible) {
  const banner = $('#network-message');
  banner.textContent = shared().t('error.network');
  banner.hidden = !visible;
}

function askForToken() {
  const dialog = $('#token-dialog');
  $('#token-input').value = shared().token;
  $('#token-error').hidden = true;
  if (!dialog.open) dialog.showModal();
  $('#token-input').focus();
}

/** @param {Event} event */
function saveToken(event) {
  event.preventDefault();
  const token = $('#token-input').value.trim();
  if (!token) {
    const error = $('#token-error');
    error.textContent = shared().t('auth.required');
    error.hidden = false;
    return;
  }
  update({ token, authProblem: null });
  $('#token-dialog').close();
  refreshEverything();
  connectLive(refreshVisible);
}

function clearToken() {
  update({ token: '' });
  $('#token-input').value = '';
  $('#token-input').focus();
}

function renderPositions() {
  const { livePosition, writePosition, t } = shared();
  const position = Math.max(livePosition, writePosition);
  $('#last-position').textContent = position > 0 ? t('footer.position', { position }) : '';
}

function wireEvents() {
  $('#lang-toggle').addEventListener('click', () => update({ lang: shared().lang === 'zh' ? 'en' : 'zh' }));
  $('#token-button').addEventListener('click', askForToken);
  $('#auth-message-action').addEventListener('click', askForToken);
  $('#token-form').addEventListener('submit', saveToken);
  $('#token-clear').addEventListener('click', clearToken);
  for (const panel of PANELS) panel.wire?.();
  onApiProblem((problem) => {
    if (problem.network !== undefined) showNetworkProblem(problem.network);
    if (problem.auth) update({ authProblem: problem.auth });
  });
  subscribe((changed) => {
    if (changed.includes('lang') || changed.includes('messages')) {
      applyTranslations();
      renderAll();
    }
    if (changed.includes('authProblem')) renderAuthProblem();
    if (changed.includes('livePosition') || changed.includes('writePosition')) renderPositions();
    if (changed.includes('district')) {
      $('#district-select').value = shared().district;
      loadDistrictPanels();
    }
  });
}

async function start() {
  const response = await fetch(new URL('./i18n.json', import.meta.url));
  update({ messages: await response.json() });
  applyTranslations();
  wireEvents();
  renderAll();
  if (!shared().token) {
    askForToken();
    return;
  }
  refreshEverything();
  connectLive(refreshVisible);
}

start();
