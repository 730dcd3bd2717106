/**
 * Bulk runs: data files → payments, without reasons, in one streaming pass over the roster.
 *
 *   runBulk(ir, source, files, { asOf, strict, detail }) → BulkResult
 *
 * The result agrees with `runContract` on everything except the reasons and condition traces
 * it leaves out: totals, each student's total and paid lines (with `detail`), cohort and
 * escalation results, data-quality reports and problems (test/differential.test.ts). Memory is
 * a few numbers per student line instead of a `DataRow`, a `StudentDecision` and a
 * `PaymentLine` with its reason. Browser-safe.
 *
 * `BulkEvaluator` is the per-student core, shared with simulation and worker threads.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR, DataSetIR } from "../../language/check/ir.ts";
import { compositeIR } from "../amendments.ts";
import { compileContract, type CompiledContract } from "../compile.ts";
import { keyColumnOf, stopsTheRun, type DataProblem, type DataRow, type FileReport } from "../data.ts";
import { inputProblems, loadMatched, matchFiles, withEncoding, type DataFile, type LoadedSets, type MatchedFile } from "../inputs.ts";
import { DataSetLoader } from "../load.ts";
import type { InternalError, RunResult } from "../output.ts";
import { Rational } from "../rational.ts";
import type { Runtime } from "../run.ts";
import { disagreement, failureProblem, internalErrorOf, joinedRows } from "../run.ts";
import { fastCohorts, fastEscalations } from "./decide.ts";
import { aggregateValue, type AggregatePartial } from "./expr.ts";
import { centsText, lineCents } from "../cents.ts";
import { LineStore, MET, settle, settlementProblem, statusText } from "../settle.ts";
import { fillSlots, StudentAggregates, StudentProgram } from "./program.ts";

export interface BulkOptions {
  asOf?: string;
  strict?: boolean;
  /** keep every student's lines in the result (for small runs and tests) */
  detail?: boolean;
}

export interface BulkLine {
  clause: string;
  status: string;
  paid: string;
  withheld: string;
  funding: Record<string, string>;
}
export interface BulkStudent {
  id: string;
  total: string;
  uncapped: string;
  lines: BulkLine[];
}

export interface BulkResult {
  ok: boolean;
  /** present when OBC broke one of its own guarantees (OBC9001): the result must not be paid or recorded */
  internalError?: InternalError;
  /** every problem, as `RunOutput.problems` */
  problems: DataProblem[];
  contract?: RunResult["contract"];
  totals?: RunResult["totals"];
  /** number of students decided */
  count: number;
  /** per student (detail only) */
  students: BulkStudent[];
  cohorts: { clause: string; period?: string; status: string; paid: string }[];
  escalations: RunResult["escalations"];
  dataQuality?: RunResult["dataQuality"];
  /** per student, in roster order: id and total in cents (always) */
  ids: string[];
  studentTotals: Float64Array;
}

// ───────────── the per-student core ─────────────

/** Decides students one by one into compact line arrays; reusable across runs of one contract. */
export class BulkEvaluator {
  readonly prog: StudentProgram;
  readonly agg: StudentAggregates;
  readonly store = new LineStore();
  problems: DataProblem[] = [];
  private readonly sink: import("./program.ts").LeanSink;
  private readonly aggActive: boolean;
  private readonly useLean: boolean;
  private readonly mode: A.RoundingMode;
  private readonly unit: A.RoundingUnit;
  private readonly first = new Map<string, { pops: (boolean | undefined)[]; facts: (boolean | undefined)[] }>();
  readonly rosterName: string;

  constructor(
    readonly ir: ContractIR,
    readonly compiled: CompiledContract,
    readonly asOf: string | undefined,
    /** `lean: false` evaluates every rule as json-rules-engine does even when the lean path applies (for benchmarks) */
    opts: { lean?: boolean } = {},
  ) {
    this.prog = new StudentProgram(ir, compiled, new Map(), asOf);
    this.useLean = opts.lean !== false && !!this.prog.lean;
    this.agg = new StudentAggregates(ir, this.prog);
    this.mode = ir.rounding.mode;
    this.unit = ir.rounding.unit;
    this.sink = { store: this.store, mode: this.mode, unit: this.unit };
    this.aggActive = this.agg.active;
    this.rosterName = ir.dataSets.find((d) => d.roster)?.name ?? "";
  }

  /** Forgets the students decided so far. */
  reset(): void {
    this.store.reset();
    this.problems = [];
    this.first.clear();
    for (const p of this.agg.partials) {
      p.rows = 0;
      p.chosen = 0;
      p.total = undefined;
    }
  }

  /** A cleared slots array for one student. */
  slots(): unknown[] {
    return new Array<unknown>(this.prog.nSlots).fill(undefined);
  }

  /** Decides one student whose values are in `slots` (roster row first, joined rows after). */
  add(key: string, row: number, slots: unknown[]): void {
    const prog = this.prog;
    prog.frame.slots = slots;
    const st = this.store;
    let o;
    if (this.useLean) o = prog.decideLean(this.sink);
    else {
      o = prog.decide(false);
      for (let k = 0; k < o.n; k++) {
        const status = o.status[k]!;
        st.addLine(o.plan[k]!, status, status === MET ? lineCents(o.base[k]!, o.weight[k]!, this.mode, this.unit) : 0);
      }
    }
    st.endStudent(key);
    if (o.internal.length) for (const name of o.internal) this.problems.push(disagreement(name));
    for (let i = 0; i < o.fails; i++) this.problems.push(failureProblem("division-by-zero", this.rosterName, row));
    if (this.aggActive) {
      let fst = this.first.get(key);
      if (!fst) this.first.set(key, (fst = { pops: [...o.pops], facts: prog.clauseFacts() }));
      this.agg.add(slots, fst.pops, fst.facts);
    }
  }

  /** The aggregates over students, by node (for cohort clauses). */
  aggregates(partials: AggregatePartial[] = this.agg.partials): Map<A.Aggregate, import("../evaluate.ts").RV> | undefined {
    if (!this.agg.active) return undefined;
    return new Map(this.agg.nodes.map((n, i) => [n, aggregateValue(n, partials[i]!)]));
  }
}

// ───────────── a whole run ─────────────

/** Runs a checked contract on data files without reasons. Never throws for bad data. */
export function runBulk(contract: ContractIR, source: string, files: DataFile[], opts: BulkOptions = {}): BulkResult {
  const composite = compositeIR(contract, opts.asOf);
  const ir = composite.ir;
  const strict = !!opts.strict;
  const { matched, fileProblems } = matchFiles(ir, files);
  const roster = ir.dataSets.find((d) => d.roster);
  const isStreamed = (m: MatchedFile) => m.kind === "csv" && !!roster && m.ds === roster;
  const sets = loadMatched(matched, fileProblems, { strict }, isStreamed);
  const compiled = compileContract(ir, source);
  const ev = new BulkEvaluator(ir, compiled, opts.asOf);
  const byKey = joinedRows(ir, sets.rows);
  // the roster: streamed, decided row by row
  const rosterIds = new Map<MatchedFile, string[]>();
  matched.forEach((m, i) => {
    if (!isStreamed(m) || m.kind !== "csv") return;
    const loader = new DataSetLoader(m.ds.decl, m.csv.header, m.file.label, { strict, roster: true, slots: ev.prog.fields });
    const ids: string[] = [];
    // one slots array for every row: a student's values are read only while it is decided
    const slots = ev.slots();
    m.csv.forEachRow(({ row, cells, carried }) => {
      slots.fill(undefined);
      const r = loader.row(row, cells, slots, carried);
      if (!r || r.key === undefined) return;
      ids.push(r.key);
      for (const x of byKey.get(r.key) ?? []) fillSlots(slots, ev.prog.fields, x.values);
      ev.add(r.key, row, slots);
    });
    if (m.csv.fatal) {
      // a quote that swallows lines, found while the rows were read: the file is refused
      sets.fileProblems[i] = m.csv.fatal;
      return;
    }
    sets.reports[i] = withEncoding(loader.report(m.csv.problems), m.file);
    if (!sets.rows.has(m.ds.name)) sets.rows.set(m.ds.name, []);
    rosterIds.set(m, ids);
  });
  return finishBulk(ir, source, matched, sets, rosterIds, ev, ev.aggregates(), opts, composite.clauseVersions);
}

/** Problems of the inputs, the blocking rule, cohorts, escalations and settlement: the end of every bulk run. */
export function finishBulk(
  ir: ContractIR,
  source: string,
  matched: MatchedFile[],
  sets: LoadedSets,
  rosterIds: Map<MatchedFile, string[]>,
  ev: BulkEvaluator,
  aggregates: Map<A.Aggregate, import("../evaluate.ts").RV> | undefined,
  opts: BulkOptions,
  clauseVersions: Map<string, string>,
): BulkResult {
  void clauseVersions;
  const roster = ir.dataSets.find((d) => d.roster);
  // rows for unknown students are reported for other keyed data sets; with none, there is nothing to check
  const othersKeyed = matched.some((m) => m.kind !== "skip" && !rosterIds.has(m) && m.ds !== roster && keyColumnOf(m.ds.decl) !== undefined);
  const loaded: { decl: DataSetIR["decl"]; rows: Pick<DataRow, "key" | "row">[]; file: string }[] = [];
  if (othersKeyed) {
    matched.forEach((m, i) => {
      if (m.kind === "skip") return;
      const ids = rosterIds.get(m);
      if (ids) loaded.push({ decl: m.ds.decl, rows: ids.map((key) => ({ key, row: 0 })), file: m.file.label });
      else if (sets.loaded[i]) loaded.push(sets.loaded[i]!);
    });
  }
  const inputs = inputProblems(ir, matched, sets.fileProblems, loaded);
  const reports = sets.reports.filter((r): r is FileReport => !!r);
  const problems = [...reports.flatMap((r) => r.problems), ...inputs];
  const empty = { count: 0, students: [], cohorts: [], escalations: [], ids: [], studentTotals: new Float64Array(0) };
  if (problems.some(stopsTheRun) || (opts.strict && problems.some((p) => p.severity === "error"))) return { ok: false, problems, ...empty };
  const rt: Runtime = { compiled: ev.compiled, factText: new Map(ev.compiled.ruleSet.facts.map((f) => [f.id, f.text])), problems: [], asOf: opts.asOf };
  const runProblems: DataProblem[] = [...ev.problems];
  const cohorts = fastCohorts(ir, sets.rows, rt, aggregates, runProblems);
  const text = (span: { start: number; end: number }) => source.slice(span.start, span.end).replace(/\s+/g, " ");
  const escalations = fastEscalations(ir, sets.rows, rt, text, runProblems);
  const st = settle(ir, ev.store, cohorts, escalations);
  if (!st.ok) return { ok: false, problems: [...problems, ...runProblems, st.problem], ...empty };
  if (st.violations.length) runProblems.push(settlementProblem(st.violations));
  const internalError = internalErrorOf(runProblems);
  const students: BulkStudent[] = [];
  if (opts.detail) {
    const store = ev.store;
    const split = (c: number) => Object.fromEntries(st.funding.splitEntries(c).map(([k, v]) => [k, centsText(v)]));
    for (let s = 0; s < store.count; s++) {
      const lines: BulkLine[] = [];
      for (let i = store.lineStart[s]!; i < store.lineStart[s + 1]!; i++) {
        lines.push({
          clause: ir.clauses[store.clause[i]!]!.id,
          status: statusText(store.status[i]!),
          paid: centsText(st.paid[i]!),
          withheld: centsText(st.withheld[i]!),
          funding: split(st.paid[i]!),
        });
      }
      if (st.floor[s]) {
        lines.push({ clause: "floor", status: "met", paid: centsText(st.floor[s]!), withheld: "0.00", funding: split(st.floor[s]!) });
      }
      students.push({ id: store.ids[s]!, total: centsText(st.studentTotal[s]!), uncapped: centsText(st.uncapped[s]!), lines });
    }
  }
  return {
    ok: true,
    ...(internalError ? { internalError } : {}),
    problems: [...problems, ...runProblems],
    contract: { title: ir.title, ...(ir.version !== undefined ? { version: ir.version } : {}), currency: ir.currency },
    totals: st.totals,
    count: ev.store.count,
    students,
    cohorts: cohorts.map((c, k) => ({
      clause: c.clause.id,
      ...(c.period !== undefined ? { period: c.period } : {}),
      status: c.status === "pending" ? "not-met" : c.status,
      paid: centsText(st.cohortPaid[k]!),
    })),
    escalations: escalations.map((e) => ({ name: e.name, checkpoints: e.checkpoints })),
    dataQuality: { files: reports, problems: [...inputs, ...runProblems] },
    ids: ev.store.ids.slice(0, ev.store.count),
    studentTotals: st.studentTotal,
  };
}

export { Rational };
