/**
 * The language service behind the editor: one function per request, free of Monaco and of
 * worker globals, so the worker, the tests and the benchmark all call the same code.
 *
 *   analyze → "diagnostics" (compile + markers), then "analysis" (outline, names, summary), then "bounds"
 *   run     → "run" (the engine on the given data files)
 *   format  → "format" (the formatter's text)
 */
import { compileSource } from "../../../language/driver.ts";
import type { Diagnostic } from "../../../language/diagnostics/types.ts";
import { runContract } from "../../../engine/index.ts";
import { memoryResolver } from "../../../stdlib/index.ts";
import { summarize } from "../summary.ts";
import { boundsOf } from "./bounds.ts";
import { cliText, diagnosticsToDTO } from "./diagnostics.ts";
import type { AnalysisMessage, BoundsMessage, DiagnosticsMessage, FormatMessage, ProjectFiles, RunMessage, WorkerRequest, WorkerResponse } from "./protocol.ts";
import { EMPTY_SYMBOLS, outline, symbols } from "./symbols.ts";

export type FormatFn = (text: string) => { value: string; diagnostics: readonly Diagnostic[] };

export interface ServiceDeps {
  /** the template library (`stdlib/templates`) by template name, for `import … from stdlib` */
  library?: Record<string, string>;
  /** the formatter (language/format) */
  format?: FormatFn;
  /** a clock for timings (performance.now) */
  now?: () => number;
  /**
   * Called before the bounds, the slow part of an analysis: the worker lets newer messages
   * in here and answers false when a newer edit is waiting, so the bounds are skipped.
   */
  continueWithBounds?: () => Promise<boolean>;
}

export type Post = (message: WorkerResponse) => void;

export interface LanguageService {
  /** handles one request, posting one or more answers */
  handle(request: WorkerRequest, post: Post): Promise<void>;
}

export function createLanguageService(deps: ServiceDeps = {}): LanguageService {
  const now = deps.now ?? (() => performance.now());
  const library = deps.library ?? {};
  // the contract sits at the root of its project: relative imports resolve against the project files
  const compile = (text: string, fileName: string, project: ProjectFiles = {}) =>
    compileSource(text, { resolver: memoryResolver(library, project), fileKey: fileName });

  async function analyze(version: number, text: string, fileName: string, project: ProjectFiles | undefined, post: Post): Promise<void> {
    const t0 = now();
    const compiled = compile(text, fileName, project);
    const compileMs = now() - t0;
    const diagnostics: DiagnosticsMessage = {
      type: "diagnostics",
      version,
      ok: compiled.ok,
      diagnostics: diagnosticsToDTO(compiled.diagnostics, text),
      cliText: cliText(compiled.diagnostics, text, fileName),
      compileMs,
    };
    post(diagnostics);

    // the contract with its templates expanded (their items carry the `use` statement's span)
    const contract = compiled.ir?.ast ?? compiled.ast.contract;
    const analysis: AnalysisMessage = {
      type: "analysis",
      version,
      outline: contract ? outline(contract, text) : [],
      symbols: compiled.ir ? symbols(compiled.ir, text) : EMPTY_SYMBOLS,
      summary: contract ? summarize(contract, text) : [],
      ...(compiled.ir ? { title: compiled.ir.title, currency: compiled.ir.currency } : {}),
    };
    post(analysis);

    if (deps.continueWithBounds && !(await deps.continueWithBounds())) return;
    const bounds: BoundsMessage = { type: "bounds", version };
    if (compiled.ir) {
      try {
        bounds.bounds = boundsOf(compiled.ir);
      } catch {
        // bounds are best effort on a contract with errors
      }
    }
    post(bounds);
  }

  async function run(request: Extract<WorkerRequest, { type: "run" }>): Promise<RunMessage> {
    const { id, text, files, asOf } = request;
    const compiled = compile(text, request.fileName ?? "contract.obc", request.project);
    if (!compiled.ok || !compiled.ir) {
      const errors = compiled.diagnostics.filter((d) => d.severity === "error").length;
      return { type: "run", id, ok: false, problems: [], error: `The contract has ${errors} error${errors === 1 ? "" : "s"}: fix ${errors === 1 ? "it" : "them"} before running it on data.` };
    }
    if (files.length === 0) return { type: "run", id, ok: false, problems: [], error: "Choose an example data set or load CSV files first." };
    try {
      const out = await runContract(compiled.ir, text, files, asOf ? { asOf } : {});
      const error = out.ok ? undefined : "The data could not be read: see the data problems below.";
      return { type: "run", id, ok: out.ok, problems: out.problems, ...(out.result ? { result: out.result } : {}), ...(error ? { error } : {}) };
    } catch (e) {
      return { type: "run", id, ok: false, problems: [], error: `Internal error in OBC (please report it): ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  function format(id: number, text: string): FormatMessage {
    if (!deps.format) return { type: "format", id, error: "The formatter is not available in this build." };
    try {
      const out = deps.format(text);
      const errors = out.diagnostics.filter((d) => d.severity === "error");
      if (errors.length > 0) return { type: "format", id, error: "Fix the syntax errors before formatting." };
      return { type: "format", id, value: out.value };
    } catch (e) {
      return { type: "format", id, error: `Internal error in the formatter: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  return {
    async handle(request, post) {
      switch (request.type) {
        case "analyze":
          await analyze(request.version, request.text, request.fileName ?? "contract.obc", request.project, post);
          return;
        case "run":
          post(await run(request));
          return;
        case "format":
          post(format(request.id, request.text));
          return;
      }
    },
  };
}
