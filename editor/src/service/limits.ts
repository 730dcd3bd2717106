/** Figures shared by the language service and the panels (no imports: safe for the main bundle). */

/** The cohort size of the summary's exposure figures when the editor gives none. */
export const DEFAULT_COHORT = 100;
/** The pause (ms) after an edit before the worked examples are computed. */
export const EXAMPLES_DELAY_MS = 400;
/**
 * The most clauses (payment and cohort clauses) for which the worked examples are computed
 * while editing: their search runs the engine on many made-up students and takes about
 * 60 ms for the algebra pilot (4 clauses) but a second for the 30 clauses of the benchmark
 * contract, during which the worker would not answer edits.
 */
export const EXAMPLES_MAX_CLAUSES = 12;
/**
 * The document worker writes the summary once no edit has come for this many ms (the text
 * opened first is answered at once): a person typing leaves gaps of up to a few hundred ms
 * between keys, and the summary of a long contract takes a core for longer than that, which
 * the check of the next keystroke needs on a 2-core machine.
 */
export const DOCUMENT_PAUSE_MS = 400;
