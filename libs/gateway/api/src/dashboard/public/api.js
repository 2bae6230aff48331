// @ts-check
// The API client: bearer token, read-your-writes positions, and failures in the reader's words.
import { shared, update } from './store.js';

export class ApiError extends Error {
  /**
   * @param {number} status 0 when the network failed
   * @param {any} body
   */
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** @type {Set<(problem: { network?: boolean, auth?: number }) => void>} */
const problemListeners = new Set();

/** @param {(problem: { network?: boolean, auth?: number }) => void} listener */
export function onApiProblem(listener) {
  problemListeners.add(listener);
}

/** @param {{ network?: boolean, auth?: number }} problem */
const report = (problem) => problemListeners.forEach((listener) => listener(problem));

/**
 * @param {string} path
 * @param {{ method?: string, body?: unknown, minPosition?: number }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, { method = 'GET', body, minPosition = shared().writePosition } = {}) {
  const { token } = shared();
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'GET' && minPosition > 0) {
    headers['X-Min-Position'] = String(minPosition);
    // after this page's own write, also what the services did about it (the branch formed, the subsidy paid)
    headers['X-Consistency'] = 'settled';
  }

  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (cause) {
    report({ network: true });
    throw new ApiError(0, { message: String(cause) });
  }
  report({ network: false });

  const text = await response.text();
  let payload = null;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = { message: text };
    }
  }
  if (response.status === 401) report({ auth: 401 });
  if (!response.ok) throw new ApiError(response.status, payload);
  if (method !== 'GET' && typeof payload?.position === 'number' && payload.position > shared().writePosition) {
    update({ writePosition: payload.position });
  }
  return payload;
}

/**
 * A message an officer understands for a failed request, never a stack trace.
 * @param {unknown} error
 */
export function describeFailure(error) {
  const { t } = shared();
  if (!(error instanceof ApiError)) return t('error.unexpected');
  if (error.status === 0) return t('error.network');
  if (error.status === 401) return t('auth.unauthorised');
  // a refusal the dashboard can put in the officer's words, by its stable code
  if (typeof error.body?.error === 'string' && t.has(`code.${error.body.error}`)) return t(`code.${error.body.error}`);
  if (error.status === 403) return t('auth.forbidden');
  if (error.status === 404) return t('error.notFound');
  if (error.status === 409) return t('error.conflict');
  if (error.status === 504 || error.status === 503) return t('error.unavailable');
  if (error.status >= 500) return t('error.server');
  return reasonText(error.body?.message) || t('error.badRequest');
}

/**
 * A validation reason (a code the page knows, or the server's text) in the reader's words.
 * @param {unknown} reason
 * @returns {string}
 */
export function reasonText(reason) {
  if (reason === undefined || reason === null || reason === '') return '';
  if (Array.isArray(reason)) return reason.map(reasonText).join('；');
  const key = `reason.${reason}`;
  return shared().t.has(key) ? shared().t(key) : String(reason);
}

/** @param {string} value */
export const enc = (value) => encodeURIComponent(value);

/**
 * Downloads a file the API answers (an export, a report): the route needs the bearer token, so a plain
 * link cannot fetch it; it is fetched here and saved from a blob URL under the server's file name.
 * @param {string} path
 * @param {string} fallbackName used when the answer names no file
 * @param {{ open?: boolean }} [options] open it in a new tab (a print page) instead of saving it
 */
export async function downloadFile(path, fallbackName, { open = false } = {}) {
  const { token } = shared();
  /** @type {Record<string, string>} */
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { headers });
  } catch (cause) {
    report({ network: true });
    throw new ApiError(0, { message: String(cause) });
  }
  if (response.status === 401) report({ auth: 401 });
  if (!response.ok) {
    const text = await response.text();
    let payload = null;
    try {
      payload = text ? JSON.parse(text) : null;
    } catch {
      payload = { message: text };
    }
    throw new ApiError(response.status, payload);
  }
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = url;
  if (open) anchor.target = '_blank';
  else anchor.download = fileNameOf(response.headers.get('Content-Disposition')) ?? fallbackName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // the browser has read the blob once the click is handled; a tab opened on it keeps its own copy
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** @param {string | null} disposition */
function fileNameOf(disposition) {
  if (!disposition) return null;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : null;
}
