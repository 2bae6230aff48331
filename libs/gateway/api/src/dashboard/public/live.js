// @ts-check
// Live refresh: the gateway's server-sent events (read over fetch, since EventSource cannot send
// an Authorization header). Every `projection` event with a newer position schedules one refresh.
import { $ } from './dom.js';
import { createEventStreamParser } from './lib.js';
import { shared, update } from './store.js';

// Projections can move many times a second during a replay; officers need a calm page.
const LIVE_REFRESH_INTERVAL_MS = 2000;

/** @type {AbortController | null} */
let liveController = null;
let liveRetryDelay = 1000;
/** @type {ReturnType<typeof setTimeout> | null} */
let refreshTimer = null;
let lastLiveRefresh = 0;

/** @param {string} liveState offline, connecting, live or reconnecting */
export function setLiveState(liveState) {
  const node = $('#live-status');
  node.dataset.state = liveState;
  const text = $('.live-text', node);
  text.textContent = shared().t(`live.${liveState}`);
  text.dataset.i18n = `live.${liveState}`;
}

/**
 * Connects (again) with the token in the store; `refresh` runs at most every 2 s while events arrive.
 * @param {() => Promise<unknown>} refresh
 */
export async function connectLive(refresh) {
  liveController?.abort();
  const { token } = shared();
  if (!token) {
    setLiveState('offline');
    return;
  }
  const controller = new AbortController();
  liveController = controller;
  setLiveState('connecting');
  try {
    const response = await fetch('/api/events/stream', { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` }, signal: controller.signal });
    if (response.status === 401 || response.status === 403) {
      update({ authProblem: response.status });
      setLiveState('offline');
      return;
    }
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    setLiveState('live');
    liveRetryDelay = 1000;
    const parser = createEventStreamParser((/** @type {{ event: string, data: string }} */ message) => onLiveEvent(message, refresh));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
  } catch {
    if (controller.signal.aborted) return;
  }
  if (controller !== liveController) return;
  setLiveState('reconnecting');
  setTimeout(() => controller === liveController && connectLive(refresh), liveRetryDelay);
  liveRetryDelay = Math.min(liveRetryDelay * 2, 30000);
}

/**
 * @param {{ event: string, data: string }} message
 * @param {() => Promise<unknown>} refresh
 */
function onLiveEvent(message, refresh) {
  if (message.event !== 'projection') return;
  let position;
  try {
    position = JSON.parse(message.data)?.position;
  } catch {
    return;
  }
  if (typeof position === 'number' && position > shared().livePosition) {
    update({ livePosition: position });
    schedule(refresh);
  }
}

/** @param {() => Promise<unknown>} refresh */
function schedule(refresh) {
  if (refreshTimer) return;
  const wait = Math.max(0, lastLiveRefresh + LIVE_REFRESH_INTERVAL_MS - Date.now());
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    lastLiveRefresh = Date.now();
    refresh();
  }, wait);
}
