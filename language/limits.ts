/**
 * The bounds on the work OBC does for one contract, whatever its text.
 *
 * Every stage ends on any input, however hostile, in time and memory proportional to the
 * text: the lexer reads each character once, nesting and definition chains are bounded, and
 * template expansion has a budget. When a bound is reached the stage stops with a diagnostic
 * that names it, never with a crash or a hang. Real contracts stay far below every bound:
 * the largest example nests 6 levels deep and expands to fewer than 100 statements.
 */

/** The longest contract or template text read, in characters (2 MiB). */
export const MAX_SOURCE_LENGTH = 2 * 1024 * 1024;

/**
 * How many problems the syntax stage reports before it stops reading: characters the language
 * does not use, unclosed text, and parse errors each count as one.
 */
export const MAX_SYNTAX_ERRORS = 100;

/**
 * How deep brackets, `not`, unary minus, `% of`, `month starts` and blocks may nest inside one
 * another. Chains (`a and b and c`, `a + b - c`, `x otherwise y otherwise z`) are flat lists
 * and do not count, however long.
 */
export const MAX_NESTING = 32;

/**
 * How deep the checker may follow an expression, counting the metrics and conditions it reads
 * through their definitions: a bound on the recursion of every later stage (the evaluators,
 * the compiler, the summary), which all follow the same references.
 */
export const MAX_DEFINITION_DEPTH = 400;

/** Template expansion: how deep templates may use templates. */
export const MAX_TEMPLATE_DEPTH = 16;

/** Template expansion: how many statements the templates of one contract may produce in all. */
export const MAX_EXPANDED_ITEMS = 10_000;

/** Template expansion: how many expression nodes the arguments copied into templates may add in all. */
export const MAX_EXPANDED_NODES = 200_000;

/**
 * The most values one value may multiply or divide together, counting the metrics it reads
 * (see check/degree.ts): exact numbers grow with every factor. A squared gain has 2.
 */
export const MAX_PRODUCT_DEGREE = 64;
