/**
 * The checking service behind the editor's check worker: what must answer each keystroke
 * quickly, and nothing slower. Free of Monaco and of worker globals, so the worker, the tests
 * and the benchmark all call the same code.
 *
 *   check   → "diagnostics" (compile + markers + the CLI's text), then "analysis" (outline, names)
 *   format  → "format" (the formatter's text)
 *   library → "library" (the templates, their parameters and docs; the language's functions)
 *
 * The summary, bounds, runs, comparisons and exports are the document service's (documents.ts),
 * in another worker, so that they never delay the diagnostics of the next keystroke.
 */
import type { Diagnostic } from "../../../language/diagnostics/types.ts";
import { FUNCTIONS } from "../../../language/check/functions.ts";
import { STDLIB_VERSION } from "../../../stdlib/index.ts";
import { compilerFor } from "./compile.ts";
import { cliText, diagnosticsToDTO } from "./diagnostics.ts";
import type { AnalysisMessage, CheckRequest, CheckResponse, DiagnosticsMessage, FormatMessage, FunctionInfo, LibraryMessage, TemplateInfo } from "./protocol.ts";
import { EMPTY_SYMBOLS, outline, symbols } from "./symbols.ts";
import { libraryInfo } from "./templates.ts";

export type FormatFn = (text: string) => { value: string; diagnostics: readonly Diagnostic[] };

export interface CheckDeps {
  /** the template library (`stdlib/templates`) by template name, for `import … from stdlib` */
  library?: Record<string, string>;
  /** the formatter (language/format) */
  format?: FormatFn;
  /** a clock for timings (performance.now) */
  now?: () => number;
}

export interface CheckService {
  /** handles one request, posting one or more answers */
  handle(request: CheckRequest, post: (message: CheckResponse) => void): void;
}

const FUNCTION_INFO: FunctionInfo[] = [...FUNCTIONS.values()].map((f) => ({
  name: f.name,
  params: f.params.map((p) => p.name),
  result: f.result === "combined" ? "the unit of its values" : f.result,
  doc: f.doc,
  usage: f.usage,
}));

export function createCheckService(deps: CheckDeps = {}): CheckService {
  const now = deps.now ?? (() => performance.now());
  const library = deps.library ?? {};
  const compile = compilerFor(library);
  let templates: TemplateInfo[] | undefined;

  function check(request: Extract<CheckRequest, { type: "check" }>, post: (m: CheckResponse) => void): void {
    const { version, text, project } = request;
    const fileName = request.fileName ?? "contract.obc";
    const t0 = now();
    const compiled = compile(text, fileName, project);
    const diagnostics: DiagnosticsMessage = {
      type: "diagnostics",
      version,
      ok: compiled.ok,
      diagnostics: diagnosticsToDTO(compiled.diagnostics, text),
      cliText: cliText(compiled.diagnostics, text, fileName),
      compileMs: now() - t0,
    };
    post(diagnostics);
    // the contract with its templates expanded (their items carry the `use` statement's span)
    const contract = compiled.ir?.ast ?? compiled.ast.contract;
    const analysis: AnalysisMessage = {
      type: "analysis",
      version,
      outline: contract ? outline(contract, text) : [],
      symbols: compiled.ir ? symbols(compiled.ir, text) : EMPTY_SYMBOLS,
      ...(compiled.ir ? { title: compiled.ir.title, currency: compiled.ir.currency } : {}),
    };
    post(analysis);
  }

  function format(id: number, text: string): FormatMessage {
    if (!deps.format) return { type: "format", id, error: "The formatter is not available in this build." };
    try {
      const out = deps.format(text);
      if (out.diagnostics.some((d) => d.severity === "error")) return { type: "format", id, error: "Fix the syntax errors before formatting." };
      return { type: "format", id, value: out.value };
    } catch (e) {
      return { type: "format", id, error: `Internal error in the formatter: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  function libraryMessage(id: number): LibraryMessage {
    templates ??= libraryInfo(library);
    return { type: "library", id, stdlibVersion: STDLIB_VERSION, templates, functions: FUNCTION_INFO };
  }

  return {
    handle(request, post) {
      switch (request.type) {
        case "check":
          check(request, post);
          return;
        case "format":
          post(format(request.id, request.text));
          return;
        case "library":
          post(libraryMessage(request.id));
          return;
      }
    },
  };
}
