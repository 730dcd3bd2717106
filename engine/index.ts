/**
 * The engine's public API (browser-safe): compile a checked contract to json-rules-engine
 * rules, and run it on data to get exact payments with their reasons.
 *
 *   compileRules(ir, source)            → RuleSet (inspectable JSON)
 *   runContract(ir, source, files, opts) → { ok, result, problems }
 *
 * The clock is an input (`asOf`); the engine never reads the system clock, the network or
 * the file system, and writes no logs.
 */
import { eventDataProblems } from "./events.ts";
import type { ContractIR } from "../language/check/ir.ts";
import { LineIndex } from "../language/diagnostics/source.ts";
import { compileContract, type RuleSet } from "./compile.ts";
import { stopsTheRun, type DataProblem } from "./data.ts";
import { loadInputs, type DataFile } from "./inputs.ts";
import type { RunResult } from "./output.ts";
import { decideCohorts, decideEscalations, decideStudents, type Runtime } from "./run.ts";
import { settle, settlementProblem } from "./settle.ts";
import { linesOf, runResult } from "./result.ts";
import { compositeIR } from "./amendments.ts";
import { tryFastDecide } from "./fast/index.ts";

export type { DataFile } from "./inputs.ts";
export type { RuleSet, ObcRule, SourceRef } from "./compile.ts";
export type { RunResult, PaymentLine, StudentResult, CohortResult, EscalationResult, ConditionTrace, InternalError } from "./output.ts";
export type { DataProblem, FileReport } from "./data.ts";

/**
 * The JSON Schema of `run.result` (what `obc schema` prints), for other tools. Asynchronous:
 * the zod schemas it is made from are loaded only when asked for, so that a run never loads them.
 */
export async function runResultJsonSchema(): Promise<unknown> {
  return (await import("./output.ts")).runResultJsonSchema();
}

export interface RunOptions {
  /** the run's clock (YYYY-MM-DD): milestones due after it are not yet payable */
  asOf?: string;
  /** fail the run on any data error instead of reporting it and going on */
  strict?: boolean;
  /**
   * which engine decides the rules: "fast" (the default: the rule JSON compiled to closures) or
   * "reference" (json-rules-engine and the reference evaluator). Both give byte-identical
   * results (test/differential.test.ts); "fast" uses the reference for anything it does not reproduce.
   */
  engine?: "fast" | "reference";
}

export interface RunOutput {
  /**
   * false when the data stopped the run: a file that cannot be used (not CSV text, a quote that
   * swallows lines, a header that looks like data or names none of the columns, no JSON records),
   * a file that fits no data set, a data set without a file, a roster without rows, or any error
   * in strict mode
   */
  ok: boolean;
  /**
   * The result. When OBC broke one of its own guarantees (an OBC9001 problem: the settlement
   * check failed, or the rule engine and the reference evaluator disagree), it carries
   * `internalError` and must not be paid or recorded.
   */
  result?: RunResult;
  /** data problems (also inside `result.dataQuality`); never contain a student's values */
  problems: DataProblem[];
}

/** Compiles a checked contract (without errors) to json-rules-engine rules. */
export function compileRules(ir: ContractIR, source: string): RuleSet {
  return compileContract(ir, source).ruleSet;
}

/** Runs a checked contract (without errors) on data files. Never throws for bad data. */
export async function runContract(contract: ContractIR, source: string, files: DataFile[], opts: RunOptions = {}): Promise<RunOutput> {
  const composite = compositeIR(contract, opts.asOf);
  const ir = composite.ir;
  const inputs = loadInputs(ir, files, { strict: opts.strict });
  const problems = [...inputs.reports.flatMap((r) => r.problems), ...inputs.problems];
  if (problems.some(stopsTheRun) || (opts.strict && problems.some((p) => p.severity === "error"))) {
    return { ok: false, problems };
  }
  const eventProblems = eventDataProblems(ir, inputs.rows);
  if (eventProblems.length) return { ok: false, problems: [...problems, ...eventProblems] };
  const compiled = compileContract(ir, source);
  const lines = new LineIndex(source);
  const ref = (span: { start: number; end: number }) => {
    const p = lines.position(span.start);
    return { start: span.start, end: span.end, line: p.line, column: p.column };
  };
  const text = (span: { start: number; end: number }) => source.slice(span.start, span.end).replace(/\s+/g, " ");
  const rt: Runtime = {
    compiled,
    factText: new Map(compiled.ruleSet.facts.map((f) => [f.id, f.text])),
    problems: [],
    asOf: opts.asOf,
  };
  const fast = (opts.engine ?? "fast") === "fast" ? tryFastDecide(ir, inputs.rows, rt, text) : undefined;
  const students = fast ? fast.students : await decideStudents(ir, inputs.rows, rt);
  const cohorts = fast ? fast.cohorts : await decideCohorts(ir, inputs.rows, students, rt);
  const escalations = fast ? fast.escalations : await decideEscalations(ir, inputs.rows, rt, text);
  const settlement = settle(ir, linesOf(ir, students), cohorts, escalations);
  if (!settlement.ok) return { ok: false, problems: [...problems, ...rt.problems, settlement.problem] };
  if (settlement.violations.length) rt.problems.push(settlementProblem(settlement.violations));
  const allProblems = [...problems, ...rt.problems];
  const result = runResult({
    ir,
    students,
    cohorts,
    escalations,
    settlement,
    reports: inputs.reports,
    problems: [...inputs.problems, ...rt.problems],
    asOf: opts.asOf,
    ref,
    clauseVersions: composite.clauseVersions,
  });
  return { ok: true, result, problems: allProblems };
}

export { studentBounds, clauseBounds, type StudentBounds, type ClauseBounds } from "./analysis.ts";
