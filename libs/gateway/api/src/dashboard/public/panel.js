// @ts-check
/**
 * One panel of the page: the section it lives in, how it loads the district's data, how it
 * redraws (after a change of language), and what a live update re-reads.
 * @typedef {object} Panel
 * @property {string} id the section's element id; a load failure is shown there
 * @property {() => Promise<unknown>} [load] everything the panel shows, for the district chosen
 * @property {() => Promise<unknown>} [refresh] what a live update re-reads (defaults to load)
 * @property {() => void} render
 * @property {() => void} [wire] hooks its controls up, once
 */
export {};
