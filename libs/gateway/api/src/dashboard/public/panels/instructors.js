// @ts-check
// 指导员与挂点干部: a person's caseload and annual reviews; recording and correcting a review.
import { api, ApiError, describeFailure, enc } from '../api.js';
import { $, el, formValues, showFieldErrors, showFormError, submitForm } from '../dom.js';
import { formatCount } from '../lib.js';
import { shared } from '../store.js';

const PERSON_ID = /^[\w.:-]{1,64}$/;

/** @type {{ person: { personId: string, caseload: any, reviews: any } | null }} */
const local = { person: null };

/**
 * Looks a person up: the enterprises they cover now and their annual reviews (none yet is not an error).
 * @param {string} rawId
 */
async function lookUpInstructor(rawId) {
  const personId = String(rawId).trim();
  const error = $('#instructor-lookup-error');
  error.hidden = true;
  if (!PERSON_ID.test(personId)) {
    error.textContent = shared().t('reason.required');
    error.hidden = false;
    return;
  }
  try {
    const path = `/api/instructors/${enc(personId)}`;
    const [caseload, reviews] = await Promise.all([api(`${path}/caseload`), api(`${path}/reviews`).catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)))]);
    local.person = { personId, caseload, reviews };
  } catch (failure) {
    error.textContent = describeFailure(failure);
    error.hidden = false;
    return;
  }
  render();
}

function render() {
  const { t, lang } = shared();
  const person = local.person;
  $('#instructor-detail').hidden = !person;
  if (!person) return;
  const name = person.reviews?.name ?? person.personId;
  $('#instructor-caseload').textContent = t('instructors.caseload', { name, count: formatCount(person.caseload?.caseload ?? 0, lang) });
  /** @type {any[]} */
  const reviews = person.reviews?.reviews ?? [];
  $('#instructor-reviews').replaceChildren(
    ...(reviews.length === 0
      ? [el('li', { className: 'timeline-empty' }, t('instructors.none'))]
      : reviews.map((r) =>
          el(
            'li',
            { dataset: { testid: 'instructor-review', year: String(r.year) } },
            t('instructors.reviewLine', { year: r.year, rating: t.label('rating', r.rating), count: formatCount(r.enterprisesCovered, lang), by: r.reviewedBy }),
            ...r.corrections.map((/** @type {any} */ c) => el('div', { className: 'hint' }, t('instructors.corrected', { previous: t.label('rating', c.previousRating), reason: c.reason }))),
          ),
        )),
  );
  const nameInput = $('#ir-name');
  if (!nameInput.value && person.reviews?.name) nameInput.value = person.reviews.name;
}

/** @param {number} year */
const isYear = (year) => Number.isInteger(year) && year >= 2000 && year <= 2100;

/** Records the year's review of the person shown, for the district chosen at the top. */
async function submitReview(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const person = local.person;
  if (!person) return;
  const { district, t } = shared();
  if (!district) return showFormError(form, t('proposals.noDistrict'));
  const values = formValues(form);
  const body = {
    name: String(values.name ?? '').trim(),
    district,
    year: Number(values.year),
    rating: values.rating,
    ...(String(values.note ?? '').trim() && { note: String(values.note).trim() }),
  };
  const problems = [...(body.name ? [] : [{ field: 'name', reason: 'required' }]), ...(isYear(body.year) ? [] : [{ field: 'year', reason: 'required' }])];
  if (problems.length) return showFieldErrors(form, 'ir-err-', problems);
  const answer = await submitForm(form, 'ir-err-', () => api(`/api/instructors/${enc(person.personId)}/reviews`, { method: 'POST', body }));
  if (!answer) return;
  form.reset();
  await lookUpInstructor(person.personId);
}

/** Corrects a year's review of the person shown with a new grade and a reason (the first grade stays in its history). */
async function submitCorrection(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const person = local.person;
  if (!person) return;
  const values = formValues(form);
  const year = Number(values.year);
  const body = { rating: values.rating, reason: String(values.reason ?? '').trim() };
  const problems = [...(isYear(year) ? [] : [{ field: 'year', reason: 'required' }]), ...(body.reason ? [] : [{ field: 'reason', reason: 'required' }])];
  if (problems.length) return showFieldErrors(form, 'ic-err-', problems);
  const answer = await submitForm(form, 'ic-err-', () => api(`/api/instructors/${enc(person.personId)}/reviews/${year}/corrections`, { method: 'POST', body }));
  if (!answer) return;
  form.reset();
  await lookUpInstructor(person.personId);
}

/** @type {import('../panel.js').Panel} */
export const instructorsPanel = {
  id: 'instructors',
  render,
  wire() {
    $('#instructor-lookup-form').addEventListener('submit', (/** @type {Event} */ e) => {
      e.preventDefault();
      lookUpInstructor($('#instructor-id').value);
    });
    $('#instructor-review-form').addEventListener('submit', submitReview);
    $('#ic-rating').replaceChildren(...[...$('#ir-rating').options].map((option) => option.cloneNode(true)));
    $('#instructor-correction-form').addEventListener('submit', submitCorrection);
  },
};
