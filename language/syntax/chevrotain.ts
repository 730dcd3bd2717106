/**
 * The parts of Chevrotain the language uses, from one module.
 *
 * Sources (tests, the editor) import Chevrotain as usual. The built package replaces this
 * module by `chevrotain-node.ts` (see scripts/build.mjs): Chevrotain's default entry point loads
 * about 600 small modules, which costs more than half a second at every start of the CLI.
 */
export { createToken, CstParser, Lexer } from "chevrotain";

/**
 * Whether the lexer and the parser check the grammar itself when they are built (ambiguities,
 * unreachable tokens…): yes wherever the sources run, so every test checks it; the built
 * package skips these checks, which can fail only when the grammar changes and take most of
 * the time the CLI needs to start.
 */
export const CHECK_GRAMMAR = true;
export type { CstElement, CstNode, IOrAlt, IRecognitionException, IToken, TokenType } from "chevrotain";
