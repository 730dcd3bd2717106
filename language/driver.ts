/**
 * The compile chain in a few lines: text → tokens → CST → AST → checked IR.
 *
 * Each stage is a pure function returning `{ value, diagnostics }`; the driver runs them
 * in order and stops before checking when the text did not even produce a contract.
 */
import type { SourceFile } from "./ast.ts";
import { checkContract } from "./check/index.ts";
import type { ContractIR } from "./check/ir.ts";
import { sortDiagnostics } from "./diagnostics/render.ts";
import type { Diagnostic } from "./diagnostics/types.ts";
import { parse } from "./syntax/parse.ts";

export interface CompileResult {
  ast: SourceFile;
  /** the checked contract; present whenever the text holds a contract, even with errors */
  ir: ContractIR | undefined;
  diagnostics: Diagnostic[];
  /** true when no diagnostic is an error: only then may the contract be run */
  ok: boolean;
}

/** Parses and checks `.obc` text. Never throws. */
export function compileSource(text: string): CompileResult {
  const parsed = parse(text);
  const diagnostics = [...parsed.diagnostics];
  let ir: ContractIR | undefined;
  if (parsed.value.contract) {
    const checked = checkContract(parsed.value.contract);
    ir = checked.value;
    diagnostics.push(...checked.diagnostics);
  }
  const sorted = sortDiagnostics(diagnostics);
  return { ast: parsed.value, ir, diagnostics: sorted, ok: !sorted.some((d) => d.severity === "error") };
}
