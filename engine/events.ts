/**
 * Aggregates of event rows: the one place each is computed, for every path.
 *
 * A data set of events (`data sessions keyed by student_id per session on session_date`) has
 * several rows per student. Each aggregate the contract reads (`count of sessions where (…)`,
 * listed in `ir.eventAggregates` by the checker) becomes one value per student, joined to the
 * student's other values under the aggregate's `slot` name like a field of a per-student data
 * set (see `joinedRows` in run.ts), so that both deciders, cohort aggregates and bulk runs read
 * it the same way.
 *
 * The rows' conditions and values are evaluated by either decider's own evaluator: the
 * reference's `evaluate` (the reference run) or the compiled closures of `fast/expr.ts` (the
 * fast run); the differential tests compare the two. What each aggregate means is written
 * once, here, in {@link aggregateRows}.
 *
 * Weeks run Monday to Sunday (`weekOfDay`). A run of weeks skips the weeks that hold a date of
 * the excluded data set (its periods, read as dates): such a week neither counts in the run
 * nor breaks it. Browser-safe.
 */
import type * as A from "../language/ast.ts";
import type { ContractIR, DataSetIR } from "../language/check/ir.ts";
import { dataProblem } from "./csv.ts";
import type { DataProblem, DataRow, Value } from "./data.ts";
import { DATA_CODES, parseDate } from "./data.ts";
import { evaluate, eventsOfNone, fromValue, MISSING, type Env, type RV } from "./evaluate.ts";
import { Scope, rvFn, tri } from "./fast/expr.ts";
import { fillSlots, setSlots } from "./fast/program.ts";
import { dayNumber, weekOfDay } from "./functions.ts";
import { nAdd, nCmp, toRat, type N } from "./fast/num.ts";
import { Rational } from "./rational.ts";

export type EventEvaluator = "reference" | "compiled";

/** One row as an aggregate sees it: whether it is chosen, its value, its date (undefined: missing). */
interface RowReader<R> {
  chosen(r: R): boolean;
  value(r: R): RV;
  date(r: R): string | undefined;
  /** the week of the row's date (`weekOfDay`) */
  week(r: R): number | undefined;
  /**
   * The value as a bare exact number (fast/num.ts), when it is provably a number, an amount or
   * a percentage (of kind `numKind`): sums and comparisons then need no RV per row.
   */
  num?: (r: R) => N | undefined;
  numKind?: "number" | "money" | "percent";
}

/** The weeks (numbered by `weekOfDay`) that hold a date of a per-period data set of dates (periods that are not dates are left out: see {@link eventDataProblems}). */
export function excludedWeeks(rows: readonly DataRow[]): Set<number> {
  const weeks = new Set<number>();
  for (const r of rows) {
    const d = r.period === undefined ? undefined : parseDate(r.period);
    if (d !== undefined) weeks.add(weekOfDay(dayNumber(d)));
  }
  return weeks;
}

/**
 * The rows an aggregate of events cannot read, each an error that stops the run: a period of a
 * data set whose weeks a run excludes that is not a date (a run would count a holiday week).
 */
export function eventDataProblems(ir: ContractIR, data: Map<string, DataRow[]>): DataProblem[] {
  const problems: DataProblem[] = [];
  const sets = new Set(ir.eventAggregates.flatMap((e) => (e.excluding ? [e.excluding.name] : [])));
  for (const name of sets) {
    const ds = ir.dataSets.find((d) => d.name === name);
    for (const r of data.get(name) ?? []) {
      if (r.period !== undefined && parseDate(r.period) !== undefined) continue;
      problems.push(dataProblem(DATA_CODES.malformedCell, "error", r.source, "not-a-date",
        `Row ${r.row}, column ${ds?.period ?? "period"} of ${r.source}: this is not a date, so the week it excludes is unknown.`, { row: r.row, column: ds?.period }));
    }
  }
  return problems;
}

function compareRV(a: RV, b: RV): number {
  if ((a.kind === "date" || a.kind === "text") && (b.kind === "date" || b.kind === "text")) return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if ((a.kind === "number" || a.kind === "money" || a.kind === "percent") && (b.kind === "number" || b.kind === "money" || b.kind === "percent")) return a.value.cmp(b.value);
  return 0;
}

/** The longest run of consecutive weeks in `weeks` (sorted), the weeks in `skip` passed over. */
function longestRun(weeks: number[], skip: number[]): number {
  let best = 0;
  let run = 0;
  let prev: number | undefined;
  for (const w of weeks) {
    // the weeks strictly between the previous week and this one must all be skipped
    run = prev !== undefined && skippedBetween(skip, prev, w) === w - prev - 1 ? run + 1 : 1;
    if (run > best) best = run;
    prev = w;
  }
  return best;
}

/** How many of `skip` (sorted) lie strictly between `a` and `b`. */
function skippedBetween(skip: number[], a: number, b: number): number {
  return lowerBound(skip, b) - lowerBound(skip, a + 1);
}

function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The value of one aggregate over one student's rows (in file order).
 * - count: the rows chosen; sum: of their present values (zero in `zero`'s unit over none);
 * - weeks: the weeks with at least `atLeast` chosen rows (rows without a date are in no week);
 * - run: the most consecutive such weeks, the weeks in `skip` passed over;
 * - earliest / latest: the value on the chosen row of the earliest / latest date (the first
 *   such row in the file on a tie); missing when no chosen row has a date;
 * - highest / lowest: the greatest / least present value; missing when there is none.
 */
export function aggregateRows<R>(e: A.EventAggregate, rows: readonly R[], read: RowReader<R>, zero: RV, skip: number[]): RV {
  switch (e.fn) {
    case "count": {
      let n = 0;
      for (const r of rows) if (read.chosen(r)) n++;
      return { kind: "number", value: toRat(n) };
    }
    case "sum": {
      const num = read.num;
      if (num) {
        let t: N = 0;
        for (const r of rows) {
          if (!read.chosen(r)) continue;
          const v = num(r);
          if (v !== undefined) t = nAdd(t, v);
        }
        return { kind: read.numKind!, value: toRat(t) };
      }
      let total: RV = zero;
      for (const r of rows) {
        if (!read.chosen(r)) continue;
        const v = read.value(r);
        if (v.kind !== "number" && v.kind !== "money" && v.kind !== "percent") continue;
        total = { kind: v.kind, value: (total as { value: Rational }).value.add(v.value) };
      }
      return total;
    }
    case "weeks":
    case "run": {
      const perWeek = new Map<number, number>();
      for (const r of rows) {
        if (!read.chosen(r)) continue;
        const w = read.week(r);
        if (w === undefined) continue;
        perWeek.set(w, (perWeek.get(w) ?? 0) + 1);
      }
      const need = Number(e.atLeast?.value ?? 1);
      const weeks: number[] = [];
      for (const [w, n] of perWeek) if (n >= need) weeks.push(w);
      if (e.fn === "weeks") return { kind: "number", value: toRat(weeks.length) };
      const skipSet = new Set(skip);
      const counted = weeks.filter((w) => !skipSet.has(w)).sort((a, b) => a - b);
      return { kind: "number", value: toRat(longestRun(counted, skip)) };
    }
    case "earliest":
    case "latest": {
      let at: R | undefined;
      let atDate = "";
      for (const r of rows) {
        if (!read.chosen(r)) continue;
        const d = read.date(r);
        if (d === undefined) continue;
        if (at === undefined || (e.fn === "earliest" ? d < atDate : d > atDate)) {
          at = r;
          atDate = d;
        }
      }
      return at === undefined ? MISSING : read.value(at);
    }
    case "highest":
    case "lowest": {
      const num = read.num;
      if (num) {
        let b: N | undefined;
        const sign = e.fn === "highest" ? 1 : -1;
        for (const r of rows) {
          if (!read.chosen(r)) continue;
          const v = num(r);
          if (v !== undefined && (b === undefined || nCmp(v, b) * sign > 0)) b = v;
        }
        return b === undefined ? MISSING : { kind: read.numKind!, value: toRat(b) };
      }
      let best: RV = MISSING;
      for (const r of rows) {
        if (!read.chosen(r)) continue;
        const v = read.value(r);
        if (v.kind === "missing") continue;
        const c = best.kind === "missing" ? 0 : compareRV(v, best);
        if (best.kind === "missing" || (e.fn === "highest" ? c > 0 : c < 0)) best = v;
      }
      return best;
    }
  }
}

/** Adds the names an expression of a row reads to `out`. */
function namesRead(x: unknown, out: Set<string>): void {
  if (Array.isArray(x)) {
    for (const y of x) namesRead(y, out);
    return;
  }
  if (!x || typeof x !== "object") return;
  const n = x as Record<string, unknown>;
  if (n["$type"] === "NameRef") out.add(n["name"] as string);
  for (const [k, v] of Object.entries(n)) if (k !== "span" && typeof v === "object") namesRead(v, out);
}

/** The zero of a sum in the unit of its value. */
function zeroOf(e: A.EventAggregate): RV {
  return e.fn === "sum" ? eventsOfNone(e) : { kind: "number", value: Rational.ZERO };
}

/** The field type a student's value of an aggregate is read as (its `slot`'s type). */
export function slotType(e: A.EventAggregate): A.FieldTypeName {
  const t = e.type ?? "count";
  return (t === "number" ? "decimal" : t) as A.FieldTypeName;
}

/** An RV as the typed value of a data row (an amount exact, even to less than a cent). */
function toValue(v: RV): Value {
  if (v.kind === "money") {
    const cents = v.value.mul(100);
    return cents.isInteger() ? { kind: "money", cents: cents.numerator } : { kind: "money", cents: cents.numerator / cents.denominator, exact: v.value };
  }
  return v as Value;
}

/** A row of events as the reference evaluator reads it. */
class RowEnv implements Env {
  constructor(private readonly values: Record<string, Value>) {}
  name(n: string): RV {
    const v = this.values[n];
    return v ? fromValue(v) : MISSING;
  }
  clause(): RV {
    return MISSING;
  }
}

const TRUE_ROW = () => true;

/**
 * The rows of one data set of events, read once for all its aggregates: each row's date and
 * week, and (made on first use) each row as either evaluator reads it. Rows are numbered by
 * their position in the set.
 */
class EventSet {
  readonly dates: (string | undefined)[];
  readonly weeks: (number | undefined)[];
  readonly byKey = new Map<string, number[]>();
  private envs: RowEnv[] | undefined;
  /** per condition (by its text without positions), each row's result once computed: 2 unknown, 1 chosen, 0 not */
  private readonly chosenMemo = new Map<string, Uint8Array>();
  private slots: unknown[][] | undefined;

  constructor(readonly ds: DataSetIR, readonly rows: readonly DataRow[], private readonly used: ReadonlySet<string>) {
    this.dates = rows.map((r) => {
      const v = ds.dated === undefined ? undefined : r.values[ds.dated];
      return v && v.kind === "date" ? v.value : undefined;
    });
    this.weeks = this.dates.map((d) => (d === undefined ? undefined : weekOfDay(dayNumber(d))));
    rows.forEach((r, i) => {
      if (r.key === undefined) return;
      const list = this.byKey.get(r.key);
      if (list) list.push(i);
      else this.byKey.set(r.key, [i]);
    });
  }

  env(i: number): RowEnv {
    this.envs ??= this.rows.map((r) => new RowEnv(r.values));
    return this.envs[i]!;
  }

  /** Each row's slots, holding only the fields some aggregate of the set reads (`used`). */
  slotsOf(fields: ReturnType<typeof setSlots>, n: number): unknown[][] {
    if (this.slots) return this.slots;
    const read = new Map([...fields].filter(([name]) => this.used.has(name)));
    return (this.slots = this.rows.map((r) => {
      const s = new Array<unknown>(n).fill(undefined);
      fillSlots(s, read, r.values);
      return s;
    }));
  }

  /** A row condition evaluated at most once per row for every aggregate of the set that has it. */
  private memoized(where: A.Expr, test: (i: number) => boolean): (i: number) => boolean {
    const key = JSON.stringify(where, (k, v) => (k === "span" || k.endsWith("Span") ? undefined : v));
    let memo = this.chosenMemo.get(key);
    if (!memo) this.chosenMemo.set(key, (memo = new Uint8Array(this.rows.length).fill(2)));
    const m = memo;
    return (i) => {
      let v = m[i]!;
      if (v === 2) m[i] = v = test(i) ? 1 : 0;
      return v === 1;
    };
  }

  /** How one aggregate reads a row of this set, with one decider's evaluator. */
  reader(e: A.EventAggregate, evaluator: EventEvaluator): RowReader<number> {
    const date = (i: number) => this.dates[i];
    const week = (i: number) => this.weeks[i];
    if (evaluator === "reference") {
      return {
        chosen: e.where ? this.memoized(e.where, (i) => { const v = evaluate(e.where!, this.env(i)); return v.kind === "boolean" && v.value; }) : TRUE_ROW,
        value: e.value ? (i) => evaluate(e.value!, this.env(i)) : () => MISSING,
        date,
        week,
      };
    }
    const fields = setSlots(this.ds);
    const scope = new Scope({ fields, defs: new Map(), exprs: new Map() });
    const where = e.where ? tri(scope.compile(e.where)) : undefined;
    const compiledValue = e.value ? scope.compile(e.value) : undefined;
    const value = compiledValue ? rvFn(compiledValue) : undefined;
    const sk = compiledValue?.sk;
    const bare = sk === "number" || sk === "money" || sk === "percent" ? compiledValue!.fn : undefined;
    const frame = scope.frame();
    const slots = this.slotsOf(fields, scope.nSlots);
    // a row's scope memoizes nothing (no definitions): a frame needs no reset between rows
    const memo = scope.nMemo > 0;
    const at = (i: number) => {
      frame.slots = slots[i]!;
      if (memo) frame.reset();
      return frame;
    };
    return {
      chosen: where ? this.memoized(e.where!, (i) => where(at(i)) === true) : TRUE_ROW,
      value: value ? (i) => value(at(i)) : () => MISSING,
      date,
      week,
      ...(bare ? { num: (i: number) => bare(at(i)) as N | undefined, numKind: sk as "number" | "money" | "percent" } : {}),
    };
  }
}

/**
 * Each student's values of the contract's event aggregates, as one row per student key holding
 * every aggregate under its `slot` name, for every key that has rows of events (`keys`, or all
 * of them): a student without rows has no such row and reads each aggregate of none
 * (`eventsOfNone`), on every path, the roster streamed or not.
 */
export function eventValues(ir: ContractIR, data: Map<string, DataRow[]>, keys?: Iterable<string>, evaluator: EventEvaluator = "compiled"): Map<string, DataRow> {
  const out = new Map<string, DataRow>();
  if (ir.eventAggregates.length === 0) return out;
  const sets = new Map<string, EventSet>();
  for (const ds of ir.dataSets) {
    if (ds.kind !== "events") continue;
    const used = new Set<string>();
    for (const e of ir.eventAggregates) if (e.events.name === ds.name) for (const x of [e.where, e.value]) if (x) namesRead(x, used);
    sets.set(ds.name, new EventSet(ds, data.get(ds.name) ?? [], used));
  }
  const plans = ir.eventAggregates.map((e) => {
    const set = sets.get(e.events.name)!;
    const skip = e.excluding ? [...excludedWeeks(data.get(e.excluding.name) ?? [])].sort((a, b) => a - b) : [];
    return { e, set, read: set.reader(e, evaluator), zero: zeroOf(e), skip };
  });
  const none: number[] = [];
  const all = new Set<string>();
  for (const set of sets.values()) for (const k of set.byKey.keys()) all.add(k);
  for (const key of keys ?? all) {
    const values: Record<string, Value> = {};
    for (const p of plans) values[p.e.slot!] = toValue(aggregateRows(p.e, p.set.byKey.get(key) ?? none, p.read, p.zero, p.skip));
    out.set(key, { source: "(aggregates of events)", row: 0, key, values });
  }
  return out;
}
