/**
 * The compile chain in a few lines: text → tokens → CST → AST → checked IR.
 *
 * Each stage is a pure function returning `{ value, diagnostics }`; the driver runs them
 * in order and stops before checking when the text did not even produce a contract.
 */
import type { SourceFile } from "./ast.ts";
import { checkContract } from "./check/index.ts";
import type { ContractIR } from "./check/ir.ts";
import { diag } from "./diagnostics/codes.ts";
import { sortDiagnostics } from "./diagnostics/render.ts";
import type { Diagnostic } from "./diagnostics/types.ts";
import { parse } from "./syntax/parse.ts";
import { expandContract, type Resolver } from "./templates/expand.ts";

export interface CompileResult {
  ast: SourceFile;
  /** the checked contract; present whenever the text holds a contract, even with errors */
  ir: ContractIR | undefined;
  diagnostics: Diagnostic[];
  /** true when no diagnostic is an error: only then may the contract be run */
  ok: boolean;
}

export interface CompileOptions {
  /** finds imported templates; without it a contract that imports templates gets a diagnostic */
  resolver?: Resolver;
  /** the resolver's key of this file, for imports relative to it */
  fileKey?: string;
}

/**
 * Parses, expands templates and checks `.obc` text. Never throws: every stage bounds its work
 * (`limits.ts`), and should one of them fail all the same, with an exception or by running out
 * of stack, the failure is an internal-error diagnostic (`OBC9002`) and the contract is not ok.
 */
export function compileSource(text: string, opts: CompileOptions = {}): CompileResult {
  let ast: SourceFile = { $type: "SourceFile", span: { start: 0, end: text.length }, comments: [] };
  const diagnostics: Diagnostic[] = [];
  let ir: ContractIR | undefined;
  try {
    const parsed = parse(text);
    ast = parsed.value;
    diagnostics.push(...parsed.diagnostics);
    if (parsed.value.contract) {
      const expanded = expandContract(parsed.value.contract, opts.resolver, opts.fileKey, text);
      diagnostics.push(...expanded.diagnostics);
      // a contract whose templates were not all expanded would only draw follow-on errors
      if (!expanded.stopped) {
        const checked = checkContract(expanded.value);
        ir = checked.value;
        diagnostics.push(...checked.diagnostics);
      }
    }
  } catch (e) {
    ir = undefined;
    diagnostics.push(internalError(e, text));
  }
  const sorted = sortDiagnostics(diagnostics);
  return { ast, ir, diagnostics: sorted, ok: !sorted.some((d) => d.severity === "error") };
}

/** An exception from a stage, as a diagnostic: a bug in OBC, reported without the contract's text. */
function internalError(e: unknown, text: string): Diagnostic {
  const reason = e instanceof RangeError && /call stack/i.test(e.message)
    ? "it ran out of stack space"
    : `an unexpected ${e instanceof Error ? e.name : "error"}`;
  return diag("OBC9002", { reason }, { span: { start: 0, end: Math.min(text.length, 1) }, label: "not fully checked" });
}
