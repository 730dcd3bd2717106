/**
 * Chevrotain for the built package: under Node, its single-module build (`lib/chevrotain.mjs`,
 * shipped in the same package) instead of its default entry point, which loads about 600 small
 * modules; anywhere else, or when that file is missing, the default entry point. The two are
 * the same code (see the package's `files`). The build makes `chevrotain.js` re-export this module.
 *
 * Browser-safe: Node's modules are reached only through `process.getBuiltinModule`, which
 * does not exist in a browser.
 */
import type * as Chevrotain from "chevrotain";

type NodeProcess = { getBuiltinModule?: (id: string) => unknown };

function singleModuleBuild(): string | undefined {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const mod = proc?.getBuiltinModule?.("node:module") as typeof import("node:module") | undefined;
  const fs = proc?.getBuiltinModule?.("node:fs") as typeof import("node:fs") | undefined;
  const url = proc?.getBuiltinModule?.("node:url") as typeof import("node:url") | undefined;
  if (!mod || !fs || !url) return undefined;
  try {
    // the CommonJS resolution of "chevrotain" is lib/src/api.js; the bundle sits in lib/
    const entry = mod.createRequire(import.meta.url).resolve("chevrotain");
    const bundle = new URL("../chevrotain.mjs", url.pathToFileURL(entry));
    return fs.existsSync(bundle) ? bundle.href : undefined;
  } catch {
    return undefined;
  }
}

const bundle = singleModuleBuild();
const chevrotain: typeof Chevrotain = bundle !== undefined ? await import(bundle) : await import("chevrotain");

export const { createToken, CstParser, Lexer } = chevrotain;
/** The grammar was checked by the tests of the sources this package was built from (see chevrotain.ts). */
export const CHECK_GRAMMAR = false;
export type CstParser = Chevrotain.CstParser;
export type Lexer = Chevrotain.Lexer;
export type { CstElement, CstNode, IOrAlt, IRecognitionException, IToken, TokenType } from "chevrotain";
