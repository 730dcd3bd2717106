/**
 * Pricing by simulation: what a contract is likely to pay, from stated assumptions about the
 * students, by running the fast engine on many synthetic cohorts.
 *
 *   simulate(ir, source, { cohort: 500, runs: 1000, seed: 1, baseline, growth, attendance, missing, pTrue })
 *     → SimulationResult (distribution of the total per cohort, per student and per clause;
 *       how often each cap binds)
 *
 * Synthetic students. Each student gets one value for every declared field of every
 * per-student data set (per-period data sets get no rows: escalations and cohort clauses over
 * periods see none):
 * - score: a latent baseline b ~ Normal(baseline.mean, baseline.sd) and growth
 *   g ~ Normal(growth.mean, growth.sd) per student; a score field whose name reads like a later
 *   measure (eoy, post, end, spring, final, exit, outcome, after) is b + g, any other score is b;
 *   rounded to a whole number.
 * - count and decimal: Normal(attendance.mean, attendance.sd), rounded to a whole number, at least 0.
 * - integer: uniform over the whole numbers the contract compares the field with, widened by one
 *   on each side (`grade in [8, 9]` → 7, 8, 9, 10); 0–10 when there are none.
 * - percent: uniform over 0%, 1%, …, 100%. money: uniform over the amounts the contract compares
 *   the field with, else $0–$1,000 in whole dollars.
 * - boolean: true with probability `pTrue`. date: uniform over the days of the term.
 * - text: uniform over the texts the contract compares the field with, else "A".
 * - optional fields are missing with probability `missing` (required fields never are).
 *
 * Randomness: run r uses its own mulberry32 generator seeded from (seed, r) through a 32-bit
 * mix, so runs are independent and reproducible in any order; normal draws use the Box–Muller
 * transform (both values of each pair). Same contract, options and seed → the same result, to
 * the byte. Percentiles are nearest-rank: the p-th percentile of n sorted values is the value
 * at rank ⌈p/100 · n⌉. Amounts are exact cents; means are shown rounded to the cent.
 * Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR } from "../../language/check/ir.ts";
import { compositeIR } from "../amendments.ts";
import { compileContract } from "../compile.ts";
import type { DataProblem, DataRow, Value } from "../data.ts";
import { Rational } from "../rational.ts";
import { internalErrorOf, type CohortDecision, type EscalationDecision, type Runtime } from "../run.ts";
import { BulkEvaluator } from "./bulk.ts";
import { compileCohorts, fastEscalations } from "./decide.ts";
import { bareValue } from "../load.ts";
import { MET, settle, settlementProblem, type Settlement } from "../settle.ts";

export interface Dist {
  mean: number;
  sd: number;
}

export interface SimulationOptions {
  /** students per simulated cohort (default 500) */
  cohort?: number;
  /** simulated cohorts (default 1000) */
  runs?: number;
  seed?: number;
  /** scores at the start (default mean 50, sd 10) */
  baseline?: Dist;
  /** growth over the year, in score points (default mean 8, sd 6) */
  growth?: Dist;
  /** counts such as sessions attended (default mean 30, sd 8) */
  attendance?: Dist;
  /** the share of optional values that are missing (default 0.05) */
  missing?: number;
  /** the probability of a yes/no field being true (default 0.5) */
  pTrue?: number;
  /** the run's as-of date */
  asOf?: string;
}

export interface Stats {
  mean: string;
  p5: string;
  p50: string;
  p95: string;
  min: string;
  max: string;
}

export interface SimulationResult {
  schema: "obc.simulation/1";
  contract: { title: string; version?: string; currency: string };
  assumptions: Required<Omit<SimulationOptions, "asOf">> & { asOf?: string };
  /** the total paid per cohort */
  total: Stats;
  /** what one student is paid (all students of all runs) */
  perStudent: Stats;
  /** per clause, the total it pays per cohort */
  byClause: Record<string, Stats>;
  caps: { cap: string; kind: "student" | "clause" | "contract"; clause?: string; bindsInRuns: number; studentsAtCap?: number }[];
  /** divisions by zero met while deciding (their values are read as missing) */
  divisionsByZero: number;
}

// ───────────── randomness ─────────────

/** mulberry32: a small, fast 32-bit generator; uniform on [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of run r (a 32-bit mix of the seed and the run number). */
export function runSeed(seed: number, r: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(r + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Normal draws by Box–Muller from a uniform generator. */
export class Normal {
  private spare: number | undefined;
  constructor(private readonly u: () => number) {}
  next(mean: number, sd: number): number {
    let z: number;
    if (this.spare !== undefined) {
      z = this.spare;
      this.spare = undefined;
    } else {
      const u1 = 1 - this.u(); // (0, 1]
      const u2 = this.u();
      const r = Math.sqrt(-2 * Math.log(u1));
      z = r * Math.cos(2 * Math.PI * u2);
      this.spare = r * Math.sin(2 * Math.PI * u2);
    }
    return mean + sd * z;
  }
}

// ───────────── what the contract says about each field ─────────────

function literalsByField(ir: ContractIR): Map<string, A.Expr[]> {
  const out = new Map<string, A.Expr[]>();
  const add = (name: string, e: A.Expr) => out.set(name, [...(out.get(name) ?? []), e]);
  const isLit = (e: A.Expr) => ["NumberLit", "MoneyLit", "PercentLit", "DateLit", "StringLit"].includes(e.$type) || (e.$type === "Unary" && e.op === "-" && e.operand.$type === "NumberLit");
  const walk = (e: A.Expr | undefined): void => {
    if (!e || typeof e !== "object") return;
    if (e.$type === "Binary" && ["<", "<=", ">", ">=", "=", "!="].includes(e.op)) {
      if (e.left.$type === "NameRef" && isLit(e.right)) add(e.left.name, e.right);
      if (e.right.$type === "NameRef" && isLit(e.left)) add(e.right.name, e.left);
    }
    if (e.$type === "InList" && e.value.$type === "NameRef") for (const i of e.items) if (isLit(i)) add(e.value.name, i);
    for (const v of Object.values(e)) {
      if (Array.isArray(v)) v.forEach((x) => x && typeof x === "object" && "$type" in x && walk(x as A.Expr));
      else if (v && typeof v === "object" && "$type" in v) walk(v as A.Expr);
    }
  };
  for (const m of ir.metrics.values()) walk(m.expr);
  for (const p of Object.values(ir.populations)) walk(p?.condition);
  for (const c of ir.clauses) {
    walk(c.decl.condition);
    if (c.decl.amount.$type === "TieredAmount") for (const t of c.decl.amount.tiers) walk(t.condition);
  }
  for (const w of ir.weights) walk(w.condition);
  for (const co of ir.cohorts) {
    for (const l of co.decl.lets) walk(l.expr);
    walk(co.decl.condition);
  }
  return out;
}

/** A score field whose name reads like a later measure (end of year, post-test…), as opposed to a baseline. */
export const LATER = /eoy|post|end|spring|final|exit|outcome|after/i;

function daysBetween(a: string, b: string): number {
  return Math.round((Date.UTC(+b.slice(0, 4), +b.slice(5, 7) - 1, +b.slice(8, 10)) - Date.UTC(+a.slice(0, 4), +a.slice(5, 7) - 1, +a.slice(8, 10))) / 86400000);
}
function addDays(a: string, n: number): string {
  const d = new Date(Date.UTC(+a.slice(0, 4), +a.slice(5, 7) - 1, +a.slice(8, 10)) + n * 86400000);
  return d.toISOString().slice(0, 10);
}

type Gen = (rng: () => number, normal: Normal, latent: { b: number; g: number }) => unknown;

function generators(ir: ContractIR, o: Required<Omit<SimulationOptions, "asOf">>, fields: Map<string, { slot: number }>): { slot: number; optional: boolean; gen: Gen }[] {
  const lits = literalsByField(ir);
  const term = ir.term ?? { start: "2026-09-01", end: "2027-06-30" };
  const span = Math.max(0, daysBetween(term.start, term.end));
  const out: { slot: number; optional: boolean; gen: Gen }[] = [];
  for (const ds of ir.dataSets.filter((d) => d.kind === "student")) {
    for (const f of ds.fields) {
      const slot = fields.get(f.name)?.slot;
      if (slot === undefined) continue;
      const mine = lits.get(f.name) ?? [];
      let gen: Gen;
      switch (f.type) {
        case "score":
          gen = LATER.test(f.name) ? (_r, _n, l) => Math.round(l.b + l.g) : (_r, _n, l) => Math.round(l.b);
          break;
        case "count":
        case "decimal":
          gen = (_r, n) => Math.max(0, Math.round(n.next(o.attendance.mean, o.attendance.sd)));
          break;
        case "integer": {
          const ints = mine.map((e) => (e.$type === "NumberLit" ? Number(e.value) : e.$type === "Unary" && e.operand.$type === "NumberLit" ? -Number(e.operand.value) : NaN)).filter((x) => Number.isSafeInteger(x));
          const lo = ints.length ? Math.min(...ints) - 1 : 0;
          const hi = ints.length ? Math.max(...ints) + 1 : 10;
          gen = (r) => lo + Math.floor(r() * (hi - lo + 1));
          break;
        }
        case "percent":
          gen = (r) => {
            const p = Math.floor(r() * 101);
            return p % 100 === 0 ? p / 100 : Rational.of(p, 100);
          };
          break;
        case "money": {
          const amounts = mine.filter((e): e is A.MoneyLit => e.$type === "MoneyLit").map((e) => Rational.parse(e.value).mul(e.negative ? -1 : 1));
          gen = amounts.length
            ? (r) => {
                const a = amounts[Math.floor(r() * amounts.length)]!;
                return a.isInteger() && a.numerator <= 9007199254740991n && a.numerator >= -9007199254740991n ? Number(a.numerator) : a;
              }
            : (r) => Math.floor(r() * 1001);
          break;
        }
        case "boolean":
          gen = (r) => r() < o.pTrue;
          break;
        case "date": {
          const days = Array.from({ length: span + 1 }, (_, i) => addDays(term.start, i));
          gen = (r) => days[Math.floor(r() * days.length)];
          break;
        }
        case "text": {
          const texts = [...new Set(mine.filter((e): e is A.StringLit => e.$type === "StringLit").map((e) => e.value))];
          gen = texts.length ? (r) => texts[Math.floor(r() * texts.length)] : () => "A";
          break;
        }
      }
      out.push({ slot, optional: f.optional, gen });
    }
  }
  return out;
}

// ───────────── statistics ─────────────

const cents = (c: number): string => {
  const neg = c < 0;
  const v = Math.abs(c) / 100;
  return `${neg ? "-" : ""}${v.toFixed(2)}`;
};

/** Nearest-rank percentiles of values (sorted in place). */
export function stats(values: Float64Array): Stats {
  const n = values.length;
  if (n === 0) return { mean: "0.00", p5: "0.00", p50: "0.00", p95: "0.00", min: "0.00", max: "0.00" };
  values.sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const rank = (p: number) => values[Math.max(0, Math.ceil((p / 100) * n) - 1)]!;
  return { mean: cents(sum / n), p5: cents(rank(5)), p50: cents(rank(50)), p95: cents(rank(95)), min: cents(values[0]!), max: cents(values[n - 1]!) };
}

// ───────────── the simulation ─────────────

/**
 * The settlement of one simulated run. A run whose amounts cannot be settled exactly, or that
 * breaks one of OBC's guarantees (OBC9001: a bug), stops the simulation with that message
 * instead of being averaged in.
 */
function settled(ir: ContractIR, ev: BulkEvaluator, cohorts: CohortDecision[], escalations: EscalationDecision[], problems: DataProblem[]): Settlement {
  const st = settle(ir, ev.store, cohorts, escalations);
  if (!st.ok) throw new RangeError(st.problem.message);
  const internal = internalErrorOf([...ev.problems, ...problems, ...(st.violations.length ? [settlementProblem(st.violations)] : [])]);
  if (internal) throw new Error(`internal error OBC9001: ${internal.failures[0]}`);
  return st;
}

export const DEFAULTS: Required<Omit<SimulationOptions, "asOf">> = {
  cohort: 500,
  runs: 1000,
  seed: 1,
  baseline: { mean: 50, sd: 10 },
  growth: { mean: 8, sd: 6 },
  attendance: { mean: 30, sd: 8 },
  missing: 0.05,
  pTrue: 0.5,
};

/** Simulates `runs` cohorts of `cohort` students and summarises what the contract pays. */
export function simulate(contract: ContractIR, source: string, options: SimulationOptions = {}): SimulationResult {
  return simulateRuns(contract, source, options).result;
}

/**
 * The same simulation, also giving the total paid to each cohort in run order (in cents),
 * e.g. for a histogram.
 */
export function simulateRuns(contract: ContractIR, source: string, options: SimulationOptions = {}): { result: SimulationResult; cohortTotals: number[] } {
  const o = { ...DEFAULTS, ...options };
  const ir = compositeIR(contract, o.asOf).ir;
  const compiled = compileContract(ir, source);
  const ev = new BulkEvaluator(ir, compiled, o.asOf);
  const gens = generators(ir, o, ev.prog.fields);
  const keySlots = ir.dataSets.filter((d) => d.kind === "student" && d.key).map((d) => ev.prog.fields.get(d.key!)!.slot);
  const rt: Runtime = { compiled, factText: new Map(), problems: [], asOf: o.asOf };
  const cohorts = compileCohorts(ir, rt);
  const noRows = new Map<string, DataRow[]>();
  const totals = new Float64Array(o.runs);
  const perStudent = new Float64Array(o.runs * o.cohort);
  const byClause = ir.clauses.map(() => new Float64Array(o.runs));
  const clauseCaps = ir.clauses.flatMap((c) => c.caps.map((cap) => ({ c, cap })));
  const clauseCapRuns = clauseCaps.map(() => 0);
  let studentCapRuns = 0;
  let studentsAtCap = 0;
  let contractCapRuns = 0;
  let divisions = 0;
  const ids = Array.from({ length: o.cohort }, (_, i) => `S${String(i + 1).padStart(6, "0")}`);
  const slots = ev.slots();
  for (let r = 0; r < o.runs; r++) {
    const rng = mulberry32(runSeed(o.seed, r));
    const normal = new Normal(rng);
    ev.reset();
    for (let i = 0; i < o.cohort; i++) {
      slots.fill(undefined);
      const latent = { b: normal.next(o.baseline.mean, o.baseline.sd), g: normal.next(o.growth.mean, o.growth.sd) };
      for (const s of keySlots) slots[s] = ids[i];
      for (const g of gens) {
        const v = g.gen(rng, normal, latent);
        slots[g.slot] = g.optional && rng() < o.missing ? undefined : v;
      }
      ev.add(ids[i]!, i + 2, slots);
    }
    const problems: DataProblem[] = [];
    const decisions = ir.cohorts.length ? cohorts(noRows, ev.aggregates(), problems) : [];
    for (const p of ev.problems) if (p.code === "OBC5013") divisions++;
    const st = settled(ir, ev, decisions, [], problems);
    let total = 0;
    for (let s = 0; s < o.cohort; s++) {
      perStudent[r * o.cohort + s] = st.studentTotal[s]!;
      total += st.studentTotal[s]!;
    }
    for (const c of st.cohortPaid) total += c;
    totals[r] = total;
    const store = ev.store;
    for (let i = 0; i < store.nLines; i++) byClause[store.clause[i]!]![r]! += st.paid[i]!;
    st.clauseCapBinds.forEach((b, k) => b && clauseCapRuns[k]!++);
    if (st.studentCapBinds > 0) studentCapRuns++;
    studentsAtCap += st.studentCapBinds;
    if (st.totals.contractCap?.binds) contractCapRuns++;
  }
  const money = (m: A.MoneyLit) => `$${m.value.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
  const caps: SimulationResult["caps"] = [];
  if (ir.studentCap) caps.push({ cap: `cap ${money(ir.studentCap.amount)} per student`, kind: "student", bindsInRuns: studentCapRuns / o.runs, studentsAtCap: studentsAtCap / (o.runs * o.cohort) });
  clauseCaps.forEach(({ c, cap }, k) => caps.push({ cap: `cap ${money(cap.amount)} on "${c.name}"`, kind: "clause", clause: c.id, bindsInRuns: clauseCapRuns[k]! / o.runs }));
  if (ir.contractCap) caps.push({ cap: `cap ${money(ir.contractCap.amount)} per contract`, kind: "contract", bindsInRuns: contractCapRuns / o.runs });
  const { asOf, ...rest } = o;
  const cohortTotals = Array.from(totals); // before stats() sorts them
  const result: SimulationResult = {
    schema: "obc.simulation/1",
    contract: { title: ir.title, ...(ir.version !== undefined ? { version: ir.version } : {}), currency: ir.currency },
    assumptions: { ...rest, ...(asOf !== undefined ? { asOf } : {}) },
    total: stats(totals),
    perStudent: stats(perStudent),
    byClause: Object.fromEntries(ir.clauses.map((c, i) => [c.id, stats(byClause[i]!)])),
    caps,
    divisionsByZero: divisions,
  };
  return { result, cohortTotals };
}

// ───────────── a projected roster: forecasting from the data so far ─────────────

/**
 * What is known, or assumed, of one field of one student when forecasting a contract's final
 * payout from the data so far (see `simulateRoster`).
 * - `known`: the value in the data stays as it is (missing stays missing).
 * - `accrue`: a count or number that keeps growing until its horizon: `now` plus a draw with
 *   mean and variance `perDay × days` (as a count of events would; the run's pace factor scales
 *   the mean), rounded to `step`, never below `now`.
 * - `appear`: an optional date not in the data yet that may still happen: the first day after
 *   `from` on which an event happening at `perDay` per day occurs, or missing when that is after `until`.
 * - `measure`: a later score not measured yet: `baseline` plus the student's growth over the
 *   period (drawn per run and student, see `RosterOptions`), rounded; missing with probability
 *   `missing`. Without a baseline, one is drawn from `RosterOptions.baseline`.
 */
export type Projection =
  | { kind: "known"; value: Value }
  | { kind: "accrue"; now: number; perDay: number; days: number; step: number }
  | { kind: "appear"; perDay: number; from: string; until: string }
  | { kind: "measure"; baseline?: number; missing: number };

export interface ProjectedStudent {
  id: string;
  /** per field of the contract's per-student data sets */
  values: Record<string, Projection>;
}

export interface RosterOptions {
  runs?: number;
  seed?: number;
  /** the date of the final settlement (the run's as-of date) */
  asOf?: string;
  /** growth of a student over the period, in score points: sd among students */
  growth: Dist;
  /** how uncertain the mean growth is: each run draws its own mean from Normal(growth.mean, this) */
  growthUncertainty: number;
  /** how uncertain the pace of accruing values is: each run scales every pace by a factor drawn from Normal(1, this), at least 0 (default 0) */
  paceUncertainty?: number;
  /** baselines drawn for measures without one (default Normal(50, 10)) */
  baseline?: Dist;
  /** per-period rows known so far (checkpoints), for escalations and cohort clauses */
  periodRows?: Map<string, DataRow[]>;
}

export interface RosterSimulation {
  runs: number;
  /** per run, what the contract pays in all (cents, after caps and withholding), in run order */
  totals: Float64Array;
  /** per clause (in contract order) and run, what it pays (cents, after caps and withholding) */
  byClause: Float64Array[];
  /** per student (roster order) and clause, in how many runs the clause was met */
  met: Uint32Array;
  /** withholdings and escalation levels are those of the periods known so far */
  escalations: number;
}

/**
 * Pays a projected roster many times: each run draws every projected value, decides every
 * student with the fast engine and settles the contract (caps, funding, the withholdings in
 * force after the known checkpoints). Same roster, options and seed → the same result.
 */
export function simulateRoster(contract: ContractIR, source: string, roster: readonly ProjectedStudent[], options: RosterOptions): RosterSimulation {
  const runs = options.runs ?? 1000;
  const seed = options.seed ?? 1;
  const ir = compositeIR(contract, options.asOf).ir;
  const compiled = compileContract(ir, source);
  const ev = new BulkEvaluator(ir, compiled, options.asOf);
  const rt: Runtime = { compiled, factText: new Map(), problems: [], asOf: options.asOf };
  const cohorts = compileCohorts(ir, rt);
  const periodRows = options.periodRows ?? new Map<string, DataRow[]>();
  const escalations = fastEscalations(ir, periodRows, rt, (sp) => source.slice(sp.start, sp.end), []);
  const fields = [...ev.prog.fields.entries()].filter(([name]) => ir.fields.has(name));
  const keySlots = ir.dataSets.filter((d) => d.kind === "student" && d.key).map((d) => ev.prog.fields.get(d.key!)!.slot);
  const baseline = options.baseline ?? DEFAULTS.baseline;
  const nC = ir.clauses.length;
  const totals = new Float64Array(runs);
  const byClause = ir.clauses.map(() => new Float64Array(runs));
  const met = new Uint32Array(roster.length * nC);
  const slots = ev.slots();
  const dayMs = 86_400_000;
  const dayOf = (d: string) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / dayMs;
  const dateOf = (n: number) => new Date(n * dayMs).toISOString().slice(0, 10);
  const numberValue = (x: number, step: number) => bareValue({ kind: "number", value: Rational.of(Math.round(x / step) * Math.round(step * 100), 100) });
  for (let r = 0; r < runs; r++) {
    const rng = mulberry32(runSeed(seed, r));
    const normal = new Normal(rng);
    const meanGrowth = normal.next(options.growth.mean, options.growthUncertainty);
    const pace = Math.max(0, normal.next(1, options.paceUncertainty ?? 0));
    ev.reset();
    roster.forEach((st, i) => {
      slots.fill(undefined);
      for (const s of keySlots) slots[s] = st.id;
      for (const [name, { slot }] of fields) {
        const p = st.values[name];
        if (!p) continue;
        switch (p.kind) {
          case "known":
            slots[slot] = bareValue(p.value);
            break;
          case "accrue": {
            const mean = p.perDay * p.days * pace;
            const add = Math.max(0, normal.next(mean, Math.sqrt(Math.max(mean, 0) * p.step)));
            slots[slot] = numberValue(p.now + add, p.step);
            break;
          }
          case "appear": {
            const u = 1 - rng();
            const wait = p.perDay > 0 ? -Math.log(u) / p.perDay : Infinity;
            const day = dayOf(p.from) + Math.max(1, Math.ceil(wait));
            slots[slot] = Number.isFinite(day) && day <= dayOf(p.until) ? dateOf(day) : undefined;
            break;
          }
          case "measure": {
            const b = p.baseline ?? normal.next(baseline.mean, baseline.sd);
            const v = Math.round(b + normal.next(meanGrowth, options.growth.sd));
            slots[slot] = rng() < p.missing ? undefined : v;
            break;
          }
        }
      }
      ev.add(st.id, i + 2, slots);
    });
    const problems: DataProblem[] = [];
    const decisions = ir.cohorts.length ? cohorts(periodRows, ev.aggregates(), problems) : [];
    const st = settled(ir, ev, decisions, escalations, problems);
    const store = ev.store;
    let total = 0;
    for (let s = 0; s < store.count; s++) {
      total += st.studentTotal[s]!;
      for (let i = store.lineStart[s]!; i < store.lineStart[s + 1]!; i++) {
        const c = store.clause[i]!;
        byClause[c]![r]! += st.paid[i]! - st.withheld[i]!;
        total -= st.withheld[i]!;
        if (store.status[i] === MET) met[s * nC + c]!++;
      }
    }
    for (const c of st.cohortPaid) total += c;
    totals[r] = total;
  }
  return { runs, totals, byClause, met, escalations: escalations.length };
}
