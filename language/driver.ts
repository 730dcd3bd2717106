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

/** Parses, expands templates and checks `.obc` text. Never throws. */
export function compileSource(text: string, opts: CompileOptions = {}): CompileResult {
  const parsed = parse(text);
  const diagnostics = [...parsed.diagnostics];
  let ir: ContractIR | undefined;
  if (parsed.value.contract) {
    const expanded = expandContract(parsed.value.contract, opts.resolver, opts.fileKey, text);
    diagnostics.push(...expanded.diagnostics);
    const checked = checkContract(expanded.value);
    ir = checked.value;
    diagnostics.push(...checked.diagnostics);
  }
  const sorted = sortDiagnostics(diagnostics);
  return { ast: parsed.value, ir, diagnostics: sorted, ok: !sorted.some((d) => d.severity === "error") };
}
