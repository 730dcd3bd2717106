/**
 * The document service behind the editor's document worker: everything slower than a check,
 * which must never delay the diagnostics of the next keystroke (those come from check.ts, in
 * another worker). Free of Monaco and of worker globals.
 *
 *   document → "summary" (engine/summary), "bounds", then "summary" again with worked
 *              examples (contracts without errors only, after a pause); every step after the
 *              first is skipped once a newer edit has arrived
 *   run      → "run" (the engine on the given data files)
 *   diff     → "diff" (engine/diff: the changes between two versions, as sentences)
 *   simulate → "simulate" (engine/fast/simulate: pricing by simulation, and each cohort's total)
 *   export-summary, export-diff → "export": the summary or a comparison as Markdown, HTML or
 *              Word, the same documents as `obc summary` and `obc diff` (Word's code is
 *              loaded on the first such request)
 */
import { runContract } from "../../../engine/index.ts";
import { diffContracts } from "../../../engine/diff/diff.ts";
import { diffDocument } from "../../../engine/diff/render.ts";
import type { SummaryDoc } from "../../../engine/summary/model.ts";
import { toHtml, toMarkdown } from "../../../engine/summary/render.ts";
import { buildWorkedExamples } from "../../../engine/summary/examples.ts";
import { summarize } from "../../../engine/summary/summary.ts";
import { boundsOf } from "./bounds.ts";
import { filesFittingSeveral } from "./data-sets.ts";
import { compilerFor, errorCount } from "./compile.ts";
import { DEFAULT_COHORT, EXAMPLES_DELAY_MS, EXAMPLES_MAX_CLAUSES } from "./limits.ts";
import type { BoundsMessage, DiffMessage, DiffSide, DocFormat, DocumentRequest, DocumentResponse, ExportMessage, RunMessage, SimulateMessage, SummaryMessage } from "./protocol.ts";
import { SIM_LIMITS, simulateWithTotals } from "./simulation.ts";

export interface DocumentDeps {
  /** the template library (`stdlib/templates`) by template name, for `import … from stdlib` */
  library?: Record<string, string>;
  /** a clock for timings (performance.now) */
  now?: () => number;
  /**
   * Called before each later step of a document request (bounds, worked examples): the worker
   * lets newer messages in (after `delayMs`) and answers false when a newer edit has arrived,
   * so the rest of this request is skipped. Without it every step runs.
   */
  yieldToNewer?: (delayMs: number) => Promise<boolean>;
}

type Post = (message: DocumentResponse) => void;

export interface DocumentService {
  /** handles one request, posting one or more answers */
  handle(request: DocumentRequest, post: Post): Promise<void>;
}

export function createDocumentService(deps: DocumentDeps = {}): DocumentService {
  const now = deps.now ?? (() => performance.now());
  const compile = compilerFor(deps.library ?? {});
  const proceed = async (delayMs = 0) => (deps.yieldToNewer ? deps.yieldToNewer(delayMs) : true);
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

  async function document(request: Extract<DocumentRequest, { type: "document" }>, post: Post): Promise<void> {
    const { version, text, project } = request;
    const cohortSize = request.cohortSize ?? DEFAULT_COHORT;
    const compiled = compile(text, request.fileName, project);
    const ir = compiled.ir;

    // the plain-language summary, also of a contract with errors (as far as it goes)
    const t1 = now();
    const summary: SummaryMessage = { type: "summary", version, examples: false, cohortSize, ms: 0 };
    const leftOut = !compiled.ok ? "errors" : ir && ir.clauses.length + ir.cohorts.length > EXAMPLES_MAX_CLAUSES ? "too-large" : undefined;
    if (leftOut) summary.examplesLeftOut = leftOut;
    if (ir) {
      try {
        summary.doc = summarize(ir, text, { cohortSize });
      } catch (e) {
        summary.error = `The summary could not be written: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    summary.ms = now() - t1;
    post(summary);

    if (!(await proceed())) return;
    const bounds: BoundsMessage = { type: "bounds", version };
    if (ir) {
      try {
        bounds.bounds = boundsOf(ir);
      } catch {
        // bounds are best effort on a contract with errors
      }
    }
    post(bounds);

    // worked examples: the engine runs representative students; only once the user pauses
    if (!ir || leftOut || !summary.doc || !(await proceed(deps.yieldToNewer ? EXAMPLES_DELAY_MS : 0))) return;
    const t2 = now();
    try {
      const examples = await buildWorkedExamples(ir, text);
      const doc = summarize(ir, text, { cohortSize, ...(examples ? { examples } : {}) });
      post({ type: "summary", version, doc, examples: true, cohortSize, ms: now() - t2 });
    } catch {
      // the summary without examples stays
    }
  }

  function diff(request: Extract<DocumentRequest, { type: "diff" }>): DiffMessage {
    const t0 = now();
    const side = (s: DiffSide) => compile(s.text, s.fileName, s.project);
    const a = side(request.old);
    const b = side(request.new);
    const base = { type: "diff" as const, id: request.id, oldErrors: errorCount(a), newErrors: errorCount(b) };
    if (!a.ir || !b.ir) {
      const which = !a.ir && !b.ir ? "Neither text holds" : !a.ir ? "The earlier text does not hold" : "The later text does not hold";
      return { ...base, error: `${which} a contract: there is nothing to compare.`, ms: now() - t0 };
    }
    try {
      return { ...base, result: diffContracts(a.ir, request.old.text, b.ir, request.new.text), ms: now() - t0 };
    } catch (e) {
      return { ...base, error: `The comparison failed: ${e instanceof Error ? e.message : String(e)}. Fix the errors in the two versions and try again.`, ms: now() - t0 };
    }
  }

  async function run(request: Extract<DocumentRequest, { type: "run" }>): Promise<RunMessage> {
    const { id, text, files, asOf } = request;
    const compiled = compile(text, request.fileName, request.project);
    if (!compiled.ok || !compiled.ir) {
      const errors = errorCount(compiled);
      return { type: "run", id, ok: false, problems: [], error: `The contract has ${plural(errors, "error")}: fix ${errors === 1 ? "it" : "them"} before running it on data.` };
    }
    if (files.length === 0) return { type: "run", id, ok: false, problems: [], error: "Choose an example data set or load CSV files first." };
    try {
      const out = await runContract(compiled.ir, text, files, asOf ? { asOf } : {});
      const error = out.ok ? undefined : "The data could not be read: see the data problems below.";
      const fitsSeveral = filesFittingSeveral(compiled.ir, files);
      return {
        type: "run", id, ok: out.ok, problems: out.problems,
        ...(out.result ? { result: out.result } : {}), ...(error ? { error } : {}), ...(fitsSeveral.length ? { fitsSeveral } : {}),
      };
    } catch (e) {
      return { type: "run", id, ok: false, problems: [], error: `Internal error in OBC (please report it): ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  function simulation(request: Extract<DocumentRequest, { type: "simulate" }>): SimulateMessage {
    const { id, text, options } = request;
    const t0 = now();
    const fail = (error: string): SimulateMessage => ({ type: "simulate", id, ok: false, error, ms: now() - t0 });
    const whole = (v: number | undefined, min: number, max: number) => v === undefined || (Number.isInteger(v) && v >= min && v <= max);
    const share = (v: number | undefined) => v === undefined || (Number.isFinite(v) && v >= 0 && v <= 1);
    const dist = (d: { mean: number; sd: number } | undefined) => d === undefined || (Number.isFinite(d.mean) && Number.isFinite(d.sd) && d.sd >= 0);
    if (!whole(options.cohort, 1, SIM_LIMITS.maxCohort)) return fail(`The cohort size must be a whole number from 1 to ${SIM_LIMITS.maxCohort.toLocaleString("en-US")}.`);
    if (!whole(options.runs, 1, SIM_LIMITS.maxRuns)) return fail(`The number of runs must be a whole number from 1 to ${SIM_LIMITS.maxRuns.toLocaleString("en-US")}.`);
    if ((options.cohort ?? 500) * (options.runs ?? 1000) > SIM_LIMITS.maxStudents) return fail(`Cohort size × runs must be at most ${SIM_LIMITS.maxStudents.toLocaleString("en-US")} students in the editor (use \`obc simulate\` for more).`);
    if (!whole(options.seed, 0, 4294967295)) return fail("The seed must be a whole number from 0 to 4,294,967,295.");
    if (!dist(options.baseline) || !dist(options.growth) || !dist(options.attendance)) return fail("Each mean and standard deviation must be a number (the standard deviation at least 0).");
    if (!share(options.missing) || !share(options.pTrue)) return fail("The shares (missing, yes/no true) must be between 0 and 1.");
    const compiled = compile(text, request.fileName, request.project);
    if (!compiled.ok || !compiled.ir) {
      const errors = errorCount(compiled);
      return fail(`The contract has ${plural(errors, "error")}: fix ${errors === 1 ? "it" : "them"} before simulating it.`);
    }
    try {
      const { result, totals } = simulateWithTotals(compiled.ir, text, options);
      return { type: "simulate", id, ok: true, result, totals, ms: now() - t0 };
    } catch (e) {
      return fail(`Internal error in OBC (please report it): ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A document in a format, as cli/documents.ts writes it (Word without a date stamps 2000-01-01, as the CLI). */
  async function render(doc: SummaryDoc, format: DocFormat): Promise<string | Uint8Array> {
    if (format === "md") return toMarkdown(doc);
    if (format === "html") return toHtml(doc);
    const { toDocx } = await import("../../../engine/summary/index.ts");
    return toDocx(doc, {});
  }

  async function exportDocument(request: Extract<DocumentRequest, { type: "export-summary" | "export-diff" }>): Promise<ExportMessage> {
    const { id, format } = request;
    try {
      if (request.type === "export-summary") {
        const compiled = compile(request.text, request.fileName, request.project);
        if (!compiled.ok || !compiled.ir) {
          const errors = errorCount(compiled);
          return { type: "export", id, error: `The contract has ${plural(errors, "error")}: fix ${errors === 1 ? "it" : "them"} before exporting its summary.` };
        }
        // engine/summary/index.ts brings Word's code: loaded on the first export only
        const { summarizeContract } = await import("../../../engine/summary/index.ts");
        const doc = await summarizeContract(compiled.ir, request.text, { sourceName: request.fileName, ...(request.cohortSize !== undefined ? { cohortSize: request.cohortSize } : {}) });
        return { type: "export", id, content: await render(doc, format) };
      }
      const a = compile(request.old.text, request.old.fileName, request.old.project);
      const b = compile(request.new.text, request.new.fileName, request.new.project);
      if (!a.ok || !a.ir || !b.ok || !b.ir) return { type: "export", id, error: "Both versions must be contracts without errors to export the comparison." };
      const result = diffContracts(a.ir, request.old.text, b.ir, request.new.text);
      return { type: "export", id, content: await render(diffDocument(result, { oldName: request.old.name, newName: request.new.name }), format) };
    } catch (e) {
      return { type: "export", id, error: `Internal error in OBC (please report it): ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  return {
    async handle(request, post) {
      switch (request.type) {
        case "document":
          await document(request, post);
          return;
        case "run":
          post(await run(request));
          return;
        case "diff":
          post(diff(request));
          return;
        case "simulate":
          post(simulation(request));
          return;
        case "export-summary":
        case "export-diff":
          post(await exportDocument(request));
          return;
      }
    },
  };
}
