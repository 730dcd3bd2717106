/**
 * Worked examples for the summary: representative students generated from the contract's
 * own thresholds and run through the engine.
 *
 * Input: a checked contract (without errors) and its source. Output (`WorkedExamples`): the
 * data synthesised for each data set (a few students; a short per-period table when the
 * contract reads one, built so that an escalation protocol climbs its levels), and the
 * engine's results for them: payment lines with reasons, cohort payments, escalation levels.
 *
 * How the students are found: every field gets candidate values from the literals the
 * contract compares it with (70 → 69, 70, 71; dates ± a day; blank for optional fields; both
 * yes and no), and a coordinate search, run through `runContract` in batches, looks for
 *   1. the student who earns the most;
 *   2. a student who meets only the payments that are not contingent on outcomes;
 *   3. a student paid each partial payment, and one in each lower tier of a tiered payment;
 *   4. a student with a missing value that a payment needs;
 *   5. a student outside the group of students the contract pays for.
 * The search is deterministic: the same contract gives the same examples. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR, DataSetIR, FieldInfo } from "../../language/check/ir.ts";
import { evaluate, showRV, type Env, type RV } from "../evaluate.ts";
import { runContract, type DataFile } from "../index.ts";
import type { CohortResult, EscalationResult, PaymentLine, RunResult, StudentResult } from "../output.ts";
import { Rational } from "../rational.ts";
import { contingentClauses } from "./analysis.ts";
import { fieldWords, populationTerm, subExpressions } from "./english.ts";
import { addDays, joinList, quote } from "./format.ts";

export interface ExampleTable {
  dataSet: string;
  kind: DataSetIR["kind"];
  columns: string[];
  rows: string[][];
}

export interface ExampleStudent {
  id: string;
  /** what the example shows: "a student who earns the most" */
  title: string;
  result: StudentResult;
  /** the student's fields, metrics and conditions, as the engine shows values ("9", "yes", "missing") */
  values: Record<string, string>;
}

export interface WorkedExamples {
  /** the data the examples were run on, one table per data set */
  tables: ExampleTable[];
  students: ExampleStudent[];
  cohorts: CohortResult[];
  escalations: EscalationResult[];
  totals: RunResult["totals"];
}

export interface ExampleOptions {
  /** the run's date (default: the end of the term) */
  asOf?: string;
  /** the most example students to show (default 6) */
  maxStudents?: number;
}

type Assignment = Record<string, string>;

// ───────────────────────────── candidate values ─────────────────────────────

function allExprs(ir: ContractIR): A.Expr[] {
  const out: A.Expr[] = [];
  const add = (e: A.Expr | undefined) => {
    if (e) out.push(e);
  };
  for (const m of ir.metrics.values()) add(m.expr);
  for (const p of Object.values(ir.populations)) add(p?.condition);
  for (const c of ir.clauses) {
    add(c.decl.condition);
    if (c.decl.amount.$type === "FixedAmount") add(c.decl.amount.amount);
    else for (const t of c.decl.amount.tiers) {
      add(t.condition);
      add(t.amount);
    }
  }
  for (const w of ir.weights) add(w.condition);
  for (const co of ir.cohorts) {
    co.decl.lets.forEach((l) => add(l.expr));
    add(co.decl.amount);
    add(co.decl.condition);
  }
  for (const e of ir.escalations) {
    e.decl.measures.forEach((m) => add(m.expr));
    for (const l of e.decl.levels) {
      add(l.condition);
      for (const a of l.actions) if (a.$type === "WithholdAction") add(a.until);
    }
  }
  return out;
}

/** The field names an expression reads, through metrics. */
function readsFields(e: A.Expr, ir: ContractIR, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  for (const x of subExpressions(e)) {
    if (x.$type !== "NameRef") continue;
    const m = ir.metrics.get(x.name);
    if (m && !seen.has(x.name)) {
      seen.add(x.name);
      for (const f of readsFields(m.expr, ir, seen)) out.add(f);
    } else out.add(x.name);
  }
  return out;
}

function numText(r: Rational): string {
  return r.isInteger() ? r.toString() : r.toDecimalString(2);
}

/** The literals each field is compared with ("n:70", "d:2026-10-15"), directly or (unless `direct`) through metrics. */
function literalsByField(ir: ContractIR, direct = false): Map<string, Set<string>> {
  const lits = new Map<string, Set<string>>();
  const note = (field: string, v: string) => {
    if (!lits.has(field)) lits.set(field, new Set());
    lits.get(field)!.add(v);
  };
  // literals of each comparison go to every field the comparison reads
  for (const e of allExprs(ir)) {
    for (const x of subExpressions(e)) {
      if (!(x.$type === "Binary" && ["<", "<=", ">", ">=", "=", "!="].includes(x.op)) && x.$type !== "InList") continue;
      const fieldsRead = direct ? new Set(subExpressions(x).filter((y): y is A.NameRef => y.$type === "NameRef").map((y) => y.name)) : readsFields(x, ir);
      for (const y of subExpressions(x)) {
        let v: string | undefined;
        if (y.$type === "NumberLit") v = `n:${y.value}`;
        else if (y.$type === "PercentLit") v = `p:${y.value}`;
        else if (y.$type === "MoneyLit") v = `m:${y.value}`;
        else if (y.$type === "DateLit") v = `d:${y.value}`;
        else if (y.$type === "StringLit") v = `s:${y.value}`;
        if (v) for (const f of fieldsRead) note(f, v);
      }
    }
  }
  return lits;
}

/** How far a value is from what the contract compares its field with (lower reads better). */
function oddness(f: FieldInfo, value: string, lits: Map<string, Set<string>>): number {
  // no exit date, no retest: a blank optional date is the usual case; a blank score is not
  if (value === "") return f.type === "date" ? -1 : 1000;
  if (f.type === "boolean") return value === "true" ? 1 : 0;
  const own = [...(lits.get(f.name) ?? [])];
  if (f.type === "date") {
    const ds = own.filter((v) => v.startsWith("d:")).map((v) => Date.parse(v.slice(2)));
    const t = Date.parse(value);
    return ds.length ? Math.min(...ds.map((d) => Math.abs(d - t) / 86_400_000)) : 0;
  }
  const x = Number(value);
  const ns = own.filter((v) => /^[npm]:/.test(v)).map((v) => Number(v.slice(2)));
  return ns.length && Number.isFinite(x) ? Math.min(...ns.map((n) => Math.abs(n - x))) : 0;
}

/** Candidate cell texts for every field of the contract's data sets. */
function candidates(ir: ContractIR, fields: FieldInfo[]): Map<string, string[]> {
  const lits = literalsByField(ir);
  // a difference of two fields compared with a threshold (growth = eoy - boy >= 10): values of
  // one side around the other side's thresholds plus the threshold, so the search can just miss it
  const direct = literalsByField(ir, true);
  for (const [l, r] of differencePairs(ir)) {
    const shared = [...(lits.get(l) ?? [])].filter((v) => v.startsWith("n:") && (lits.get(r)?.has(v) ?? false) && !(direct.get(l)?.has(v) ?? false));
    const ts = shared.map((v) => Number(v.slice(2)));
    const around = (side: string) => [...(direct.get(side) ?? [])].filter((v) => v.startsWith("n:")).map((v) => Number(v.slice(2)));
    for (const t of ts) {
      for (const v of around(r)) for (const d of [-1, 0, 1]) for (const k of [-1, 0, 1]) lits.get(l)!.add(`n:${v + d + t + k}`);
      for (const v of around(l)) for (const d of [-1, 0, 1]) for (const k of [-1, 0, 1]) lits.get(r)!.add(`n:${v + d - t + k}`);
    }
  }
  const out = new Map<string, string[]>();
  for (const f of fields) {
    const set = new Set<string>();
    const own = [...(lits.get(f.name) ?? [])];
    switch (f.type) {
      case "boolean":
        set.add("false");
        set.add("true");
        break;
      case "date": {
        const dates = own.filter((v) => v.startsWith("d:")).map((v) => v.slice(2));
        if (ir.term) dates.push(ir.term.start, ir.term.end);
        if (dates.length === 0) dates.push("2026-09-01");
        for (const d of dates) {
          for (const k of [-1, 0, 1]) {
            const v = addDays(d, k);
            // data normally lies inside the term
            if (ir.term && (v < ir.term.start || v > ir.term.end)) continue;
            set.add(v);
          }
        }
        break;
      }
      case "text": {
        own.filter((v) => v.startsWith("s:")).forEach((v) => set.add(v.slice(2)));
        set.add("Other");
        break;
      }
      default: {
        const prefix = f.type === "percent" ? "p:" : f.type === "money" ? "m:" : "n:";
        const nums = own.filter((v) => v.startsWith(prefix)).map((v) => Rational.parse(v.slice(2)));
        const base = [Rational.ZERO, ...nums.flatMap((r) => [r.sub(1), r, r.add(1)])];
        if (nums.length === 0) base.push(Rational.of(10), Rational.of(20));
        for (const r of base) {
          if ((f.type === "count" || f.type === "percent") && r.isNegative()) continue;
          if ((f.type === "integer" || f.type === "count") && !r.isInteger()) continue;
          if (f.type === "percent" && r.gt(100)) continue;
          set.add(numText(r));
        }
      }
    }
    const sorted = [...set].sort((a, b) => {
      const x = Rational.tryParse(a);
      const y = Rational.tryParse(b);
      if (x && y) return x.cmp(y);
      return a < b ? -1 : a > b ? 1 : 0;
    });
    if (f.optional) sorted.push("");
    out.set(f.name, sorted);
  }
  return out;
}

// ───────────────────────────── data files ─────────────────────────────

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(t: ExampleTable): string {
  return [t.columns, ...t.rows].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}

/** Period values that sort in order: months from the term's start, school years, or P01, P02, … */
function periodValues(ds: DataSetIR, n: number, ir: ContractIR): string[] {
  const name = (ds.period ?? "").toLowerCase();
  const start = ir.term?.start ?? "2026-09-01";
  let y = Number(start.slice(0, 4));
  let mo = Number(start.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (name.includes("month")) {
      mo += 1;
      if (mo > 12) { mo = 1; y += 1; }
      out.push(`${y}-${String(mo).padStart(2, "0")}`);
    } else if (name.includes("year")) {
      out.push(`${y + i}-${String((y + i + 1) % 100).padStart(2, "0")}`);
    } else if (name.includes("quarter")) out.push(`${y + Math.floor(i / 4)}-Q${(i % 4) + 1}`);
    else out.push(`P${String(i + 1).padStart(2, "0")}`);
  }
  return out;
}

function rv(f: FieldInfo, text: string): RV {
  if (text === "") return { kind: "missing" };
  switch (f.type) {
    case "boolean": return { kind: "boolean", value: text === "true" };
    case "date": return { kind: "date", value: text };
    case "text": return { kind: "text", value: text };
    case "percent": return { kind: "percent", value: Rational.parse(text).div(100) };
    case "money": return { kind: "money", value: Rational.parse(text) };
    default: return { kind: "number", value: Rational.parse(text) };
  }
}

/** An environment for one per-period row: its fields and the escalation's measures. */
function rowEnv(ds: DataSetIR, row: Assignment, defs: Map<string, A.Expr>): Env {
  const memo = new Map<string, RV>();
  const env: Env = {
    name(n: string): RV {
      const f = ds.fields.find((x) => x.name === n);
      if (f) return rv(f, row[n] ?? "");
      const hit = memo.get(n);
      if (hit) return hit;
      const d = defs.get(n);
      if (!d) return { kind: "missing" };
      memo.set(n, { kind: "missing" });
      const v = evaluate(d, env);
      memo.set(n, v);
      return v;
    },
    clause: () => ({ kind: "missing" }),
  };
  return env;
}

const truthy = (v: RV) => v.kind === "boolean" && v.value;

/**
 * A checkpoint table that climbs an escalation's levels: a good checkpoint, then for each
 * level checkpoints that meet its trigger until it applies, the further checkpoints a
 * termination right waits for, and a last good checkpoint that releases any withholding.
 */
function escalationRows(ir: ContractIR, ds: DataSetIR): Assignment[] | undefined {
  const esc = ir.escalations.find((e) => e.over?.name === ds.name);
  if (!esc) return undefined;
  const defs = new Map<string, A.Expr>(esc.decl.measures.map((m) => [m.name.name, m.expr]));
  // a grid of rows: numbers in steps of 5 up to 100, yes/no, the first candidate otherwise
  const cands = candidates(ir, ds.fields);
  const grid: Assignment[] = [{}];
  let rowsSoFar: Assignment[] = [{}];
  for (const f of ds.fields) {
    let values: string[];
    if (["count", "integer", "decimal", "score", "percent"].includes(f.type)) values = Array.from({ length: 21 }, (_, i) => String(100 - i * 5));
    else values = (cands.get(f.name) ?? [""]).filter((v) => v !== "");
    const next: Assignment[] = [];
    for (const r of rowsSoFar) for (const v of values) next.push({ ...r, [f.name]: v });
    rowsSoFar = next.slice(0, 5000);
  }
  grid.splice(0, 1, ...rowsSoFar);
  const levels = esc.decl.levels;
  const classify = (r: Assignment) => levels.map((l) => truthy(evaluate(l.condition, rowEnv(ds, r, defs))));
  const classified = grid.map((r) => ({ r, c: classify(r) }));
  const good = classified.find((x) => x.c.every((b) => !b));
  const seq: Assignment[] = [];
  if (good) seq.push(good.r);
  const levelAt = (rows: Assignment[]): number => {
    const cs = rows.map(classify);
    const t = cs.length - 1;
    let level = 0;
    levels.forEach((l, i) => {
      const k = l.consecutive ? Number(l.consecutive.value) : 1;
      if (t + 1 >= k && cs.slice(t + 1 - k).every((c) => c[i])) level = Math.max(level, Number(l.level.value));
    });
    return level;
  };
  for (let i = 0; i < levels.length; i++) {
    // a row that meets this level's trigger and as few higher ones as possible
    const fits = classified.filter((x) => x.c[i]).sort((a, b) => a.c.slice(i + 1).filter(Boolean).length - b.c.slice(i + 1).filter(Boolean).length);
    const pick = fits[0];
    if (!pick) continue;
    const target = Number(levels[i]!.level.value);
    for (let k = 0; k < 6 && levelAt(seq) < target; k++) seq.push(pick.r);
    if (i === levels.length - 1) {
      const more = Math.max(0, ...levels[i]!.actions.map((a) => (a.$type === "TerminateAction" && a.afterMore ? Number(a.afterMore.value) : 0)));
      for (let k = 0; k < more; k++) seq.push(pick.r);
    }
  }
  if (good && seq.length > 1) seq.push(good.r);
  return seq.length ? seq : undefined;
}

// ───────────────────────────── running ─────────────────────────────

interface Outcome {
  total: bigint;
  lines: PaymentLine[];
  populations: Record<string, boolean>;
  trueLeaves: number;
}

const cents = (s: string) => {
  const neg = s.startsWith("-");
  const [w, f] = (neg ? s.slice(1) : s).split(".");
  const c = BigInt(w!) * 100n + BigInt((f ?? "0").padEnd(2, "0"));
  return neg ? -c : c;
};

interface Setup {
  ir: ContractIR;
  source: string;
  studentSets: DataSetIR[];
  roster: DataSetIR;
  fields: FieldInfo[];
  periodTables: ExampleTable[];
  asOf?: string;
  /** the amount of a clause's line for the student who earns the most, in cents */
  maxLine?: (clause: string) => bigint | undefined;
}

function studentTables(s: Setup, students: { id: string; a: Assignment }[]): ExampleTable[] {
  return s.studentSets.map((ds) => ({
    dataSet: ds.name,
    kind: ds.kind,
    columns: [ds.key ?? "student_id", ...ds.fields.map((f) => f.name)],
    rows: students.map((st) => [st.id, ...ds.fields.map((f) => st.a[f.name] ?? "")]),
  }));
}

function filesOf(tables: ExampleTable[]): DataFile[] {
  return tables.map((t) => ({ label: `${t.dataSet}.csv`, text: toCsv(t), dataSet: t.dataSet }));
}

async function runBatch(s: Setup, rows: Assignment[]): Promise<Outcome[]> {
  const students = rows.map((a, i) => ({ id: `C${String(i + 1).padStart(5, "0")}`, a }));
  const tables = [...studentTables(s, students), ...s.periodTables];
  const out = await runContract(s.ir, s.source, filesOf(tables), s.asOf ? { asOf: s.asOf } : {});
  const byId = new Map((out.result?.students ?? []).map((r) => [r.id, r]));
  return students.map((st) => {
    const r = byId.get(st.id);
    const lines = r?.lines.filter((l) => l.clause !== "floor") ?? [];
    return {
      total: lines.reduce((t, l) => t + cents(l.amount), 0n),
      lines,
      populations: r?.populations ?? {},
      trueLeaves: lines.reduce((n, l) => n + l.conditions.filter((c) => c.result === "true").length, 0) + Object.values(r?.populations ?? {}).filter(Boolean).length,
    };
  });
}

const sig = (a: Assignment, fields: FieldInfo[]) => fields.map((f) => a[f.name] ?? "").join("\u0001");

interface Goal {
  key: string;
  title: (o: Outcome, a: Assignment) => string;
  /** undefined when the outcome does not qualify; else a score to maximise (lexicographic) */
  score: (o: Outcome, a: Assignment) => number[] | undefined;
  /** for outcomes that do not qualify yet: how close they are (higher is closer) */
  near?: (o: Outcome, a: Assignment) => number[] | undefined;
}

function goals(s: Setup): Goal[] {
  const ir = s.ir;
  const out: Goal[] = [];
  const num = (b: bigint) => Number(b);
  out.push({
    key: "max",
    title: () => `a ${noun(ir)} who earns the most`,
    score: (o) => (o.lines.length ? [num(o.total), o.trueLeaves] : undefined),
  });
  const contingent = contingentClauses(ir);
  const isContingent = (id: string) => contingent.has(id);
  const hasBase = ir.clauses.some((c) => !contingent.has(c.id) && c.kind !== "penalty");
  if (contingent.size) {
    out.push({
      key: "base-only",
      title: (o) => {
        const met = o.lines.filter((l) => l.status === "met" && cents(l.amount) !== 0n);
        if (met.length === 0) return `a ${noun(ir)} who meets no payment condition`;
        const kinds = [...new Set(met.map((l) => l.kind))];
        if (kinds.every((k) => k === "base" || k === "milestone")) {
          return `a ${noun(ir)} who earns only ${joinList(kinds.map((k) => (k === "base" ? "the base payment" : "the milestones")))}`;
        }
        return `a ${noun(ir)} who earns only payments that do not depend on outcomes`;
      },
      score: (o) => {
        if (!o.lines.length) return undefined;
        const cont = o.lines.filter((l) => isContingent(l.clause));
        if (cont.length === 0 || cont.some((l) => l.status !== "not-met" && !(l.status === "met" && cents(l.amount) === 0n))) return undefined;
        const nc = o.lines.filter((l) => !isContingent(l.clause)).reduce((t, l) => t + cents(l.amount), 0n);
        return hasBase ? [num(nc), o.trueLeaves] : [o.trueLeaves];
      },
      near: (o) => {
        const cont = o.lines.filter((l) => isContingent(l.clause));
        if (cont.length === 0) return undefined;
        return [-num(cont.reduce((t, l) => t + cents(l.amount), 0n)), o.trueLeaves];
      },
    });
  }
  for (const c of ir.clauses) {
    if (c.decl.amount.$type !== "FixedAmount" || ["MoneyLit", "Unary"].includes(c.decl.amount.amount.$type)) continue;
    out.push({
      key: `part:${c.id}`,
      title: () => `a ${noun(ir)} paid part of ${quote(c.name)}`,
      score: (o) => {
        const line = o.lines.find((l) => l.clause === c.id && l.status === "met");
        const top = s.maxLine?.(c.id);
        if (!line || top === undefined || cents(line.amount) <= 0n || cents(line.amount) >= top) return undefined;
        return [num(o.total), o.trueLeaves];
      },
    });
  }
  for (const c of ir.clauses.filter((x) => x.kind === "partial")) {
    out.push({
      key: `partial:${c.id}`,
      title: () => `a ${noun(ir)} who earns the partial payment ${quote(c.name)}`,
      score: (o) => (o.lines.some((l) => l.clause === c.id && l.status === "met") ? [num(o.total), o.trueLeaves] : undefined),
      near: (o) => {
        const line = o.lines.find((l) => l.clause === c.id);
        return line ? [line.conditions.filter((x) => x.result === "true").length, o.trueLeaves] : undefined;
      },
    });
  }
  for (const c of ir.clauses) {
    if (c.decl.amount.$type !== "TieredAmount") continue;
    c.decl.amount.tiers.forEach((t, i) => {
      if (i === 0) return;
      const label = t.condition ? `tier ${i + 1}` : "the last (otherwise) tier";
      out.push({
        key: `tier:${c.id}:${i + 1}`,
        title: () => `a ${noun(ir)} paid under ${label} of ${quote(c.name)}`,
        score: (o) => (o.lines.some((l) => l.clause === c.id && l.status === "met" && l.tier === i + 1) ? [num(o.total), o.trueLeaves] : undefined),
      });
    });
  }
  if (s.fields.some((f) => f.optional)) {
    out.push({
      key: "missing",
      title: (_o, a) => {
        const blank = s.fields.filter((f) => f.optional && (a[f.name] ?? "") === "").map((f) => fieldWords(f.name).replace(/^the /, ""));
        return `a ${noun(ir)} whose ${blank.join(" and ")} ${blank.length > 1 ? "are" : "is"} missing`;
      },
      score: (o, a) => {
        if (!o.lines.some((l) => l.status === "missing" || l.status === "excluded")) return undefined;
        const blank = s.fields.filter((f) => f.optional && (a[f.name] ?? "") === "");
        // a missing score is the usual case: prefer it, then a single missing value
        return [blank.some((f) => f.type === "score") ? 1 : 0, -blank.length, num(o.total), o.trueLeaves];
      },
    });
  }
  const pops = (["served", "identified", "eligible"] as const).filter((p) => ir.populations[p] && ir.clauses.some((c) => c.decl.population === p));
  const outside = pops[pops.length - 1];
  if (outside) {
    out.push({
      key: "outside",
      title: () => `a ${noun(ir)} who is not ${article(populationTerm(outside, ir))}`,
      score: (o) => (o.populations[outside] === false ? [o.trueLeaves] : undefined),
    });
  }
  // the usual cases first: part payments only when there is room
  return [...out.filter((g) => !g.key.startsWith("part:")), ...out.filter((g) => g.key.startsWith("part:"))];
}

function noun(ir: ContractIR): string {
  const ds = ir.dataSets.find((d) => d.roster);
  const m = ds?.key ? /^([a-z]+)_id$/.exec(ds.key) : null;
  return m && m[1] !== "student" && m[1]!.length > 2 ? m[1]! : "student";
}

function article(term: string): string {
  return /^[AEIOU]/i.test(term) ? `an ${term}` : `a ${term}`;
}

const better = (a: number[] | undefined, b: number[] | undefined): boolean => {
  if (!a) return false;
  if (!b) return true;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
};

/** Finds representative students and runs them through the contract (see the file comment). */
export async function buildWorkedExamples(ir: ContractIR, source: string, opts: ExampleOptions = {}): Promise<WorkedExamples | undefined> {
  const roster = ir.dataSets.find((d) => d.roster);
  const periodSets = ir.dataSets.filter((d) => d.kind === "period");
  const studentPeriodSets = ir.dataSets.filter((d) => d.kind === "student-period");
  if (!roster && studentPeriodSets.length === 0) return undefined;
  // per-period data: a climbing escalation table, else two rows of first candidates
  const periodTables: ExampleTable[] = periodSets.map((ds) => {
    const esc = escalationRows(ir, ds);
    const cands = candidates(ir, ds.fields);
    const rows = esc ?? [0, 1].map((i) => Object.fromEntries(ds.fields.map((f) => {
      const c = (cands.get(f.name) ?? [""]).filter((v) => v !== "");
      return [f.name, c[Math.min(c.length - 1, i + 1)] ?? ""];
    })));
    const periods = periodValues(ds, rows.length, ir);
    return { dataSet: ds.name, kind: ds.kind, columns: [ds.period!, ...ds.fields.map((f) => f.name)], rows: rows.map((r, i) => [periods[i]!, ...ds.fields.map((f) => r[f.name] ?? "")]) };
  });

  let chosen: { id: string; a: Assignment; title: string }[] = [];
  const studentSets = ir.dataSets.filter((d) => d.kind === "student");
  if (roster) {
    const fields = studentSets.flatMap((d) => d.fields);
    const setup: Setup = { ir, source, studentSets, roster, fields, periodTables: [], asOf: opts.asOf };
    // student-period sets need rows too; the search runs without them when there are none
    const cands = candidates(ir, fields);
    const cache = new Map<string, Outcome>();
    const evalAll = async (rows: Assignment[]) => {
      const todo = rows.filter((r) => !cache.has(sig(r, fields)));
      const unique = [...new Map(todo.map((r) => [sig(r, fields), r])).values()];
      if (unique.length) {
        const outs = await runBatch({ ...setup, periodTables: [...periodTables, ...spTables(ir, studentPeriodSets, [])] }, unique);
        unique.forEach((r, i) => cache.set(sig(r, fields), outs[i]!));
      }
    };
    const pick = (f: FieldInfo, where: "first" | "middle" | "last"): string => {
      const c = (cands.get(f.name) ?? [""]).filter((v) => v !== "" || f.optional);
      const present = c.filter((v) => v !== "");
      const list = present.length ? present : c;
      return where === "first" ? list[0]! : where === "last" ? list[list.length - 1]! : list[Math.floor(list.length / 2)]!;
    };
    const starts: Assignment[] = (["middle", "last", "first"] as const).map((w) => Object.fromEntries(fields.map((f) => [f.name, pick(f, w)])));
    const neighbours = (a: Assignment): Assignment[] => {
      const out: Assignment[] = [];
      for (const f of fields) for (const v of cands.get(f.name) ?? []) if (v !== a[f.name]) out.push({ ...a, [f.name]: v });
      return out;
    };
    const best = new Map<string, { a: Assignment; score: number[] }>();
    const nearest = new Map<string, { a: Assignment; score: number[] }>();
    setup.maxLine = (clause) => {
      const top = best.get("max");
      const line = top ? cache.get(sig(top.a, fields))?.lines.find((l) => l.clause === clause) : undefined;
      return line ? cents(line.amount) : undefined;
    };
    const gs = goals(setup);
    const consider = (rows: Assignment[]) => {
      for (const r of rows) {
        const o = cache.get(sig(r, fields));
        if (!o) continue;
        for (const g of gs) {
          const sc = g.score(o, r);
          if (better(sc, best.get(g.key)?.score)) best.set(g.key, { a: r, score: sc! });
          if (!sc && g.near) {
            const n = g.near(o, r);
            if (better(n, nearest.get(g.key)?.score)) nearest.set(g.key, { a: r, score: n! });
          }
        }
      }
    };
    let frontier = [...starts, ...starts.flatMap(neighbours)];
    for (let round = 0; round < 8; round++) {
      await evalAll(frontier);
      const state = () => JSON.stringify([...best.entries(), ...nearest.entries()].map(([k, v]) => [k, v.score]));
      const before = state();
      consider(frontier);
      if (round > 0 && before === state()) break;
      const points = gs.map((g) => best.get(g.key)?.a ?? nearest.get(g.key)?.a ?? best.get("max")?.a ?? starts[0]!);
      frontier = [...new Map(points.flatMap(neighbours).map((r) => [sig(r, fields), r])).values()];
    }
    const seen = new Set<string>();
    for (const g of gs) {
      const b = best.get(g.key);
      if (!b) continue;
      const k = sig(b.a, fields);
      if (seen.has(k)) continue;
      seen.add(k);
      chosen.push({ id: "", a: b.a, title: g.title(cache.get(k)!, b.a) });
    }
    chosen = chosen.slice(0, opts.maxStudents ?? 6).map((c, i) => ({ ...c, id: `S${i + 1}` }));
    // values nearer the thresholds read better: change one value at a time while the result stays the same
    const lits = literalsByField(ir, true);
    const odd = (a: Assignment) => fields.reduce((t, f) => t + oddness(f, a[f.name] ?? "", lits), 0);
    const same = (x: Outcome, y: Outcome) =>
      JSON.stringify([x.populations, x.lines.map((l) => [l.clause, l.status, l.amount, l.tier])]) === JSON.stringify([y.populations, y.lines.map((l) => [l.clause, l.status, l.amount, l.tier])]);
    for (let pass = 0; pass < 6; pass++) {
      const tries = chosen.map((c) => neighbours(c.a).filter((r) => odd(r) < odd(c.a)));
      await evalAll(tries.flat());
      // every single change that keeps the result, then all of them together when that keeps it too
      const oks = chosen.map((c, i) => {
        const here = cache.get(sig(c.a, fields))!;
        return tries[i]!.filter((r) => same(here, cache.get(sig(r, fields))!)).sort((x, y) => odd(x) - odd(y));
      });
      const combined = chosen.map((c, i) => {
        const a = { ...c.a };
        for (const f of fields) {
          const best = oks[i]!.filter((r) => r[f.name] !== c.a[f.name]).sort((x, y) => odd(x) - odd(y))[0];
          if (best) a[f.name] = best[f.name]!;
        }
        return a;
      });
      await evalAll(combined);
      let changed = false;
      chosen = chosen.map((c, i) => {
        const here = cache.get(sig(c.a, fields))!;
        const all = combined[i]!;
        if (odd(all) < odd(c.a) && same(here, cache.get(sig(all, fields))!)) {
          changed = true;
          return { ...c, a: all };
        }
        const one = oks[i]![0];
        if (!one) return c;
        changed = true;
        return { ...c, a: one };
      });
      if (!changed) break;
    }
    // scores that only matter through a difference (spring − fall) read better on a real scale
    const shiftable = differenceFields(ir, fields).filter((f) => (cands.get(f) ?? []).every((v) => v === "" || Number(v) < 20));
    if (shiftable.length) {
      const shifted = chosen.map((c) => ({ ...c, a: Object.fromEntries(Object.entries(c.a).map(([k, v]) => [k, shiftable.includes(k) && v !== "" ? String(Number(v) + 200) : v])) }));
      await evalAll(shifted.map((c) => c.a));
      chosen = chosen.map((c, i) => (same(cache.get(sig(c.a, fields))!, cache.get(sig(shifted[i]!.a, fields))!) ? shifted[i]! : c));
    }
  }

  const tables = [
    ...(roster ? studentTables({ ir, source, studentSets, roster, fields: [], periodTables: [] }, chosen) : []),
    ...spTables(ir, studentPeriodSets, chosen.map((c) => c.id)),
    ...periodTables,
  ];
  const out = await runContract(ir, source, filesOf(tables), opts.asOf ? { asOf: opts.asOf } : {});
  if (!out.ok || !out.result) return undefined;
  const results = new Map(out.result.students.map((s) => [s.id, s]));
  return {
    tables,
    students: chosen.filter((c) => results.has(c.id)).map((c) => ({ id: c.id, title: c.title, result: results.get(c.id)!, values: studentValues(ir, c.a, results.get(c.id)!) })),
    cohorts: out.result.cohorts,
    escalations: out.result.escalations,
    totals: out.result.totals,
  };
}

/** The values of a student's fields, metrics and conditions, computed by the reference evaluator. */
function studentValues(ir: ContractIR, a: Assignment, r: StudentResult): Record<string, string> {
  const fields = new Map(ir.dataSets.filter((d) => d.kind === "student").flatMap((d) => d.fields.map((f) => [f.name, f] as const)));
  const memo = new Map<string, RV>();
  const env: Env = {
    name(n: string): RV {
      const f = fields.get(n);
      if (f) return rv(f, a[n] ?? "");
      const hit = memo.get(n);
      if (hit) return hit;
      const m = ir.metrics.get(n);
      if (!m) return { kind: "missing" };
      memo.set(n, { kind: "missing" });
      const v = evaluate(m.expr, env);
      memo.set(n, v);
      return v;
    },
    clause(name: string): RV {
      const line = r.lines.find((l) => l.clauseName === name);
      return { kind: "boolean", value: line?.status === "met" };
    },
  };
  return Object.fromEntries([...fields.keys(), ...ir.metrics.keys()].map((n) => [n, showRV(env.name(n))]));
}

/** `a - b` of two names at the start of a sum (`a - b`, `a - b + c`): the names. */
function difference(x: A.Expr): [string, string] | undefined {
  if (x.$type !== "Arithmetic" || x.ops[0] !== "-") return undefined;
  const [a, b] = x.operands;
  return a?.$type === "NameRef" && b?.$type === "NameRef" ? [a.name, b.name] : undefined;
}

/** Pairs of fields subtracted one from the other (`eoy_score - boy_score`), anywhere in the contract. */
function differencePairs(ir: ContractIR): [string, string][] {
  const out: [string, string][] = [];
  for (const e of allExprs(ir)) {
    for (const x of subExpressions(e)) {
      const d = difference(x);
      if (d && ir.fields.has(d[0]) && ir.fields.has(d[1])) {
        if (!out.some(([a, b]) => a === d[0] && b === d[1])) out.push(d);
      }
    }
  }
  return out;
}

/** Score fields that appear on both sides of a subtraction of two fields (`spring - fall`). */
function differenceFields(ir: ContractIR, fields: FieldInfo[]): string[] {
  const scores = new Set(fields.filter((f) => f.type === "score" || f.type === "decimal").map((f) => f.name));
  const out = new Set<string>();
  for (const e of allExprs(ir)) {
    for (const x of subExpressions(e)) {
      const d = difference(x);
      if (d && scores.has(d[0]) && scores.has(d[1])) {
        out.add(d[0]);
        out.add(d[1]);
      }
    }
  }
  return [...out];
}

/** Rows of per-student-and-period data: each student (or four made-up ones) for two periods, values varied. */
function spTables(ir: ContractIR, sets: DataSetIR[], ids: string[]): ExampleTable[] {
  return sets.map((ds) => {
    const cands = candidates(ir, ds.fields);
    const people = ids.length ? ids : ["S1", "S2", "S3", "S4"];
    const periods = periodValues(ds, 2, ir);
    const rows: string[][] = [];
    periods.forEach((p, pi) => {
      people.forEach((id, i) => {
        const values = ds.fields.map((f, fi) => {
          const c = (cands.get(f.name) ?? [""]).filter((v) => v !== "");
          if (c.length === 0) return "";
          // vary the values so that the rows differ: each student and period a different combination
          return c[(i + pi * (fi + 1) + (i >> (fi + 1))) % c.length]!;
        });
        rows.push([id, p, ...values]);
      });
    });
    return { dataSet: ds.name, kind: ds.kind, columns: [ds.key ?? "student_id", ds.period!, ...ds.fields.map((f) => f.name)], rows };
  });
}
