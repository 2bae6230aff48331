// @ts-check
// DOM helpers every panel uses: building nodes, forms and their field errors, the toast,
// a panel's own error slot, and the audit timeline.
import { ApiError, describeFailure, reasonText } from './api.js';
import { formatCount, formatDateTime, groupFieldErrors } from './lib.js';
import { shared } from './store.js';

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {any} the element (typed loosely: panels know what they look up)
 */
export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {any[]}
 */
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * @param {string} tag
 * @param {Record<string, any>} [attributes] `className`, `dataset`, `on<event>` handlers, or plain attributes
 * @param {...(Child | Child[])} children
 * @returns {any}
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;

/** @param {string} text */
export function toast(text) {
  const node = $('#toast');
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 5000);
}

/**
 * Shows (or clears, with '') the reason a panel could not load, at the top of that panel.
 * @param {string} panelId the section's id
 * @param {string} text
 */
export function showPanelError(panelId, text) {
  const section = document.getElementById(panelId);
  if (!section) return;
  const existing = /** @type {HTMLElement | null} */ (section.querySelector(':scope > .panel-error'));
  const slot = existing ?? el('p', { className: 'panel-error', role: 'alert', dataset: { testid: `panel-error-${panelId}` } });
  if (!existing) {
    const head = section.querySelector(':scope > .panel-head');
    if (head) head.after(slot);
    else section.prepend(slot);
  }
  slot.textContent = text;
  slot.hidden = !text;
}

/**
 * Runs a panel's load; a failure is said in that panel (a lost token or network is said in the banners).
 * @param {string} panelId
 * @param {() => Promise<unknown>} load
 */
export async function loadInto(panelId, load) {
  try {
    await load();
    showPanelError(panelId, '');
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 0)) return;
    showPanelError(panelId, describeFailure(error));
  }
}

/** @param {HTMLFormElement} form */
export function formValues(form) {
  return /** @type {Record<string, string>} */ (Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)])));
}

/**
 * @param {HTMLFormElement} form
 * @param {string} prefix id prefix of the form's error slots
 * @param {Array<{ field: string, reason: string }>} details
 */
export function showFieldErrors(form, prefix, details) {
  clearFieldErrors(form);
  const { t } = shared();
  /** @type {string[]} */
  const unplaced = [];
  /** @type {HTMLElement | null} */
  let first = null;
  for (const [field, reasons] of groupFieldErrors(details)) {
    const slot = form.querySelector(`#${prefix}${CSS.escape(field)}`);
    const input = /** @type {HTMLElement | null} */ (form.querySelector(`[name="${CSS.escape(field)}"]`));
    const text = reasons.map(reasonText).join('；');
    if (!slot) {
      unplaced.push(field ? `${t.has(`field.${field}`) ? t(`field.${field}`) : field}：${text}` : text);
      continue;
    }
    slot.textContent = text;
    /** @type {HTMLElement} */ (slot).hidden = false;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      first ??= input;
    }
  }
  if (unplaced.length) showFormError(form, unplaced.join('；'));
  first?.focus();
}

/** @param {HTMLFormElement} form */
export function clearFieldErrors(form) {
  for (const slot of /** @type {HTMLElement[]} */ ([...form.querySelectorAll('.field-error')])) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  showFormError(form, '');
}

/**
 * @param {HTMLFormElement} form
 * @param {string} text
 */
export function showFormError(form, text) {
  const slot = /** @type {HTMLElement | null} */ (form.querySelector('.form-error'));
  if (!slot) return;
  slot.textContent = text;
  slot.hidden = !text;
}

/**
 * 400 answers carry `details`; other failures become one message for the whole form.
 * @param {HTMLFormElement} form
 * @param {string} prefix
 * @param {unknown} error
 */
export function showSubmitFailure(form, prefix, error) {
  const details = error instanceof ApiError ? error.body?.details : null;
  if (error instanceof ApiError && error.status === 400 && Array.isArray(details) && details.length) {
    // a rule the service refused by its code is said in the officer's language at the field it names
    const code = error.body?.error;
    const { t } = shared();
    const translated = typeof code === 'string' && t.has(`code.${code}`) ? t(`code.${code}`) : null;
    showFieldErrors(form, prefix, translated ? details.map((d) => ({ field: d.field, reason: translated })) : details);
  } else {
    showFormError(form, describeFailure(error));
  }
}

/**
 * Sends a form: clears its errors, disables its button, shows the outcome (a toast, or the refusal in the form).
 * @param {HTMLFormElement} form
 * @param {string} prefix
 * @param {() => Promise<any>} send
 * @returns {Promise<any>} the answer, or undefined when refused
 */
export async function submitForm(form, prefix, send) {
  clearFieldErrors(form);
  const button = /** @type {HTMLButtonElement | null} */ (form.querySelector('button[type="submit"]'));
  if (button) button.disabled = true;
  try {
    const answer = await send();
    toast(shared().t('common.saved', { position: answer?.position ?? '—' }));
    return answer;
  } catch (error) {
    showSubmitFailure(form, prefix, error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * @typedef {object} FieldSpec
 * @property {string} name
 * @property {string} label i18n key
 * @property {'text' | 'number' | 'date' | 'select' | 'textarea'} [type]
 * @property {Array<[string, string]>} [options] value and its label (already translated)
 * @property {string} [value]
 * @property {boolean} [required]
 * @property {string} [placeholder] i18n key
 * @property {string} [hint] i18n key
 */

/**
 * A form built from field specs: control `#${prefix}${name}`, its error slot `#${prefix}err-${name}`
 * (pass `${prefix}err-` to the field-error helpers), test ids the same.
 * @param {{ id: string, prefix: string, legend: string, submit: string, fields: FieldSpec[], onsubmit: (form: HTMLFormElement) => void, extra?: Node[], hint?: string }} spec
 * @returns {HTMLFormElement}
 */
export function buildForm(spec) {
  const { t } = shared();
  const fields = spec.fields.map((f) => {
    const id = `${spec.prefix}${f.name}`;
    const common = { id, name: f.name, dataset: { testid: id }, 'aria-describedby': `${spec.prefix}err-${f.name}` };
    const control =
      f.type === 'select'
        ? el('select', common, (f.options ?? []).map(([value, label]) => el('option', { value, selected: value === f.value }, label)))
        : f.type === 'textarea'
          ? el('textarea', { ...common, rows: 2, placeholder: f.placeholder && t(f.placeholder) }, f.value ?? '')
          : el('input', { ...common, type: f.type ?? 'text', value: f.value, step: f.type === 'number' ? '1' : undefined, placeholder: f.placeholder && t(f.placeholder), autocomplete: 'off' });
    return el(
      'div',
      { className: 'field' },
      el('label', { for: id }, t(f.label), f.required ? el('abbr', { className: 'required', title: t('common.required') }, ' *') : null),
      control,
      f.hint ? el('p', { className: 'field-hint' }, t(f.hint)) : null,
      el('p', { className: 'field-error', id: `${spec.prefix}err-${f.name}`, dataset: { testid: `${spec.prefix}error-${f.name}` }, hidden: true }),
    );
  });
  const form = el(
    'form',
    { id: spec.id, className: 'subform', dataset: { testid: spec.id }, novalidate: true },
    el(
      'fieldset',
      {},
      el('legend', {}, t(spec.legend)),
      el('div', { className: 'grid-2' }, fields),
      spec.extra ?? [],
      spec.hint ? el('p', { className: 'hint' }, t(spec.hint)) : null,
      el('p', { className: 'form-error', dataset: { testid: `${spec.id}-error` }, hidden: true }),
      el('button', { type: 'submit', className: 'button button-primary' }, t(spec.submit)),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    spec.onsubmit(form);
  });
  return form;
}

/**
 * @param {Array<[string, Child]>} pairs
 * @returns {Node[]}
 */
export function factNodes(pairs) {
  return pairs.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]);
}

const METADATA_SHOWN = ['actor', 'reason', 'policyVersion', 'correlationId'];

/**
 * The audit trail of a record, newest first.
 * @param {HTMLElement} list
 * @param {Array<Record<string, any>>} items
 */
export function renderTimeline(list, items) {
  const { t, lang } = shared();
  if (items.length === 0) {
    list.replaceChildren(el('li', { className: 'timeline-empty' }, t('audit.empty')));
    return;
  }
  const newestFirst = [...items].sort((a, b) => b.position - a.position);
  list.replaceChildren(
    ...newestFirst.map((item) => {
      /** @type {Array<[string, Child]>} */
      const data = Object.entries(item.data ?? {}).map(([key, value]) => [t.has(`field.${key}`) ? t(`field.${key}`) : key, displayValue(key, value)]);
      /** @type {Array<[string, Child]>} */
      const meta = METADATA_SHOWN.filter((key) => item.metadata?.[key]).map((key) => [t(`meta.${key}`), displayValue(key, item.metadata[key])]);
      return el(
        'li',
        { className: 'timeline-item', dataset: { testid: 'audit-item', type: item.type, position: item.position, eventId: item.eventId } },
        el(
          'div',
          { className: 'timeline-head' },
          el('strong', {}, t.label('event', item.type)),
          el('time', { datetime: item.occurredAt }, formatDateTime(item.occurredAt, lang)),
          el('span', { className: 'mono hint', title: t('audit.position') }, `#${item.position}`),
        ),
        data.length ? el('dl', { className: 'facts facts-compact' }, ...factNodes(data)) : null,
        meta.length ? el('dl', { className: 'facts facts-compact facts-meta' }, ...factNodes(meta)) : null,
      );
    }),
  );
}

/** @type {Record<string, (value: unknown) => string>} */
const LABEL_GROUPS = {
  kind: (v) => shared().t.label('kind', v),
  mode: (v) => shared().t.label('mode', v),
  level: (v) => shared().t.label('level', v),
  status: (v) => shared().t.label('operatingStatus', v),
  previousStatus: (v) => shared().t.label('operatingStatus', v),
  operatingStatus: (v) => shared().t.label('operatingStatus', v),
  ownership: (v) => shared().t.label('ownership', v),
  coveredBy: (v) => shared().t.label('coveredBy', v),
  category: (v) => shared().t.label('requestCategory', v),
  item: (v) => shared().t.label('subsidyItem', v),
  reason: (v) => (shared().t.has(`memberReason.${v}`) ? shared().t.label('memberReason', v) : shared().t.label('coverageReason', v)),
};

/**
 * A recorded value as an officer reads it.
 * @param {string} key
 * @param {unknown} value
 * @returns {string}
 */
export function displayValue(key, value) {
  const { t, lang } = shared();
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'actor' && String(value).startsWith('system:')) return t('meta.system', { service: String(value).slice('system:'.length) });
  if (typeof value === 'boolean') return t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'number') return formatCount(value, lang);
  if (Array.isArray(value)) return value.map((item) => displayValue(key, item)).join('、');
  if (typeof value === 'object') {
    // people ({personId, name}), member enterprises ({creditCode, ...}), corrected ledger fields
    if ('name' in value && 'personId' in value) return String(value.name);
    if ('creditCode' in value) return String(value.creditCode);
    return Object.entries(value)
      .map(([field, inner]) => `${t.has(`field.${field}`) ? t(`field.${field}`) : field}：${displayValue(field, inner)}`)
      .join('；');
  }
  const labelled = LABEL_GROUPS[key];
  if (labelled) return labelled(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value, lang);
  return String(value);
}

/** @param {number} fen */
export const yuan = (fen) => shared().t('org.yuan', { amount: formatCount(fen / 100, shared().lang) });

/**
 * Puts forms in a slot unless the same ones (by key, in the same language) are there already, so a
 * live refresh never wipes what an officer is typing.
 * @param {HTMLElement} slot
 * @param {string} key what the forms depend on
 * @param {() => Child | Child[]} build
 */
export function placeForms(slot, key, build) {
  const fullKey = `${shared().lang}|${key}`;
  if (slot.dataset.formKey === fullKey) return;
  slot.dataset.formKey = fullKey;
  const built = build();
  slot.replaceChildren(...(Array.isArray(built) ? built : [built]).filter((node) => node !== null && node !== undefined && node !== false).map((node) => (node instanceof Node ? node : String(node))));
}
