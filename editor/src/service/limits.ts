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
 * While edits come less than this many ms apart (typing), the document worker waits for a
 * pause this long before writing the summary; an edit after a pause is answered at once.
 */
export const DOCUMENT_PAUSE_MS = 200;
