/**
 * The language's words for the highlighter and completion, as a static list.
 *
 * The parser's token definitions (`language/syntax/tokens.ts`) are the source of truth, but
 * importing them would pull the parser library (Chevrotain) into the main bundle; the
 * language worker has the parser, the main thread only needs these words.
 * `test/browser/editor-words.test.ts` fails when this list drifts from `keywordTokens`,
 * `statementWords` and `FREQUENCIES`: copy the lists it prints.
 */

/** Every reserved word of the language, lower case, in the order of `keywordTokens`. */
export const KEYWORDS: readonly string[] = [
  "parties", "term", "currency", "rounding", "data", "metric", "condition", "eligible", "identified", "served", "base",
  "milestone", "outcome", "partial", "bonus", "penalty", "payment", "cohort", "weight", "cap", "floor", "funding",
  "settlement", "escalation", "routines", "governance", "track", "import", "use", "param", "amendment", "contract",
  "template", "stdlib", "effective", "version", "as", "to", "half", "up", "down", "even", "the", "cent", "dollar", "keyed",
  "by", "each", "optional", "let", "measure", "students", "student", "due", "pays", "per", "when", "if", "missing",
  "present", "not", "met", "excluded", "in", "tiers", "otherwise", "for", "on", "allocated", "pro", "rata", "order", "of",
  "every", "line", "rounded", "rest", "over", "count", "share", "sum", "where", "month", "starts", "from", "through", "is",
  "and", "or", "true", "false", "level", "consecutive", "checkpoints", "within", "days", "business", "weeks", "months",
  "withhold", "payments", "all", "until", "may", "terminate", "with", "notice", "after", "more", "shares", "meet",
  "reports", "reviews", "committee", "meets", "amendments", "signed",
];

/** The words that start a statement inside a contract (`statementWords`). */
export const STATEMENT_WORDS: readonly string[] = [
  "parties", "term", "currency", "rounding", "data", "metric", "condition", "eligible", "identified", "served", "base",
  "milestone", "outcome", "partial", "bonus", "penalty", "payment", "cohort", "weight", "cap", "floor", "funding",
  "settlement", "escalation", "routines", "governance", "track", "import", "use", "amendment",
];

/** The words that start a change inside an amendment (`CHANGE_WORDS` of language/syntax/parser.ts): words only there. */
export const AMENDMENT_WORDS: readonly string[] = ["remove", "replace", "rename"];

/** The frequencies of routines and committees (`FREQUENCIES` of language/check/rules.ts). */
export const FREQUENCIES: readonly string[] = ["daily", "weekly", "biweekly", "monthly", "quarterly", "termly", "annually", "yearly"];
