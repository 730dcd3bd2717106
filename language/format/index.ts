/**
 * The formatter's public API: `format(text)` prints a contract (or template) in its one
 * canonical layout, keeping every comment; `printSourceFile(file, text)` prints a parsed file.
 */
export { format, printExpr, printSourceFile, quote, type FormatOutput } from "./format.ts";
