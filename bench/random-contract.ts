/**
 * Random small OBC contracts with random data, for differential testing of the fast engine
 * against the reference engine (test/differential.test.ts) and for benchmarks.
 *
 * `generateCase(seed)` writes OBC source text from a grammar subset that follows the checker's
 * typing rules closely enough that most generated contracts check: data fields of every type
 * (some optional, some in a second per-student data set), metrics and conditions, groups of
 * students, clauses (fixed amounts, tiers, penalties, deadlines) whose conditions use
 * and/or/not/in/is missing/otherwise/comparisons/clause references, weights, caps, a floor,
 * funding, cohort clauses (over students, over a per-student-per-year set) and an escalation
 * over checkpoints, and amendments that overwrite, replace, rename and remove clauses (a case
 * may name a version to run the contract at), and a data set of events (several rows per student)
 * read by aggregates with filters (count, sum, weeks with at least N rows, the longest run of
 * such weeks skipping holidays, earliest, latest, highest, lowest). The data are CSV text with
 * blank optional cells, blank required cells,
 * malformed cells, repeated ids and zero denominators. Deterministic for a seed.
 */
import type { DataFile } from "../engine/index.ts";

// ───────────── a tiny seeded PRNG for the generator ─────────────

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    // mulberry32
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

// ───────────── random contracts ─────────────

type FType = "integer" | "count" | "decimal" | "score" | "percent" | "money" | "boolean" | "date" | "text";
type Ty = "num" | "score" | "money" | "pct" | "date" | "text" | "bool";
interface Field {
  name: string;
  type: FType;
  optional: boolean;
}
interface E {
  t: string;
  /** reads a value that may be missing */
  opt: boolean;
}

const TY: Record<FType, Ty> = {
  integer: "num", count: "num", decimal: "num", score: "score", percent: "pct", money: "money", boolean: "bool", date: "date", text: "text",
};
const DATES = ["2026-09-15", "2026-10-01", "2026-10-15", "2026-12-01", "2027-01-01", "2027-03-01", "2027-05-01", "2027-06-30"];

class ContractGen {
  fields: Field[] = [];
  metrics: { name: string; ty: Ty; opt: boolean }[] = [];
  clauses: string[] = [];
  constructor(readonly r: Rng) {}

  fieldsOf(ty: Ty, allowOpt: boolean): Field[] {
    return this.fields.filter((f) => TY[f.type] === ty && (allowOpt || !f.optional));
  }

  lit(ty: Ty): string {
    const r = this.r;
    switch (ty) {
      case "num": return r.chance(0.8) ? String(r.int(0, 60)) : `${r.int(0, 40)}.${r.int(1, 9)}`;
      case "score": return String(r.int(20, 90));
      case "money": return r.chance(0.8) ? `$${r.int(1, 12) * 50}` : `$${r.int(1, 999)}.${String(r.int(0, 99)).padStart(2, "0")}`;
      case "pct": return `${r.pick([10, 25, 33.3, 50, 60, 75, 80, 100])}%`;
      case "date": return r.pick(DATES);
      case "text": return r.pick(['"A"', '"B"', '"C"']);
      case "bool": return r.pick(["true", "false"]);
    }
  }

  /** A value of a type; `allowOpt` false: nothing that may be missing (unless defaulted). */
  value(ty: Ty, depth: number, allowOpt: boolean): E {
    const r = this.r;
    const fs = this.fieldsOf(ty, true);
    const ms = this.metrics.filter((m) => m.ty === ty && (allowOpt || !m.opt));
    const choice = r.int(0, depth <= 0 ? 2 : 6);
    if (choice === 0 || (choice === 1 && fs.length === 0)) return { t: this.lit(ty), opt: false };
    if (choice === 1) {
      const f = r.pick(fs);
      if (f.optional && !allowOpt) return { t: `(${f.name} otherwise ${this.lit(ty)})`, opt: false };
      if (f.optional && r.chance(0.2)) return { t: `(${f.name} otherwise ${this.lit(ty)})`, opt: false };
      return { t: f.name, opt: f.optional };
    }
    if (choice === 2 && ms.length > 0) {
      const m = r.pick(ms);
      return { t: m.name, opt: m.opt };
    }
    const d = depth - 1;
    switch (ty) {
      case "num": {
        const k = r.int(0, 7);
        if (k === 5) {
          const a = this.value("date", d, allowOpt);
          const b = this.value("date", d, allowOpt);
          return { t: `${r.pick(["days_between", "weeks_between", "months_between"])}(${a.t}, ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 6) {
          if (r.chance(0.5)) return { t: `year_of(${this.value("date", d, allowOpt).t})`, opt: false };
          const a = this.value("num", d, allowOpt);
          if (r.chance(0.5)) return { t: `abs(${a.t})`, opt: a.opt };
          const b = this.value("num", d, allowOpt);
          return { t: `${r.pick(["min", "max"])}(${a.t}, ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 0) {
          const a = this.value("num", d, allowOpt);
          const b = this.value("num", d, allowOpt);
          return { t: `(${a.t} ${r.pick(["+", "-", "*"])} ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 1) {
          const a = this.value("num", d, allowOpt);
          const b = this.value("num", d, allowOpt);
          return { t: `(${a.t} / ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 2) return { t: `count of [${this.cond(d, allowOpt, false).t}, ${this.cond(d, allowOpt, false).t}]`, opt: false };
        if (k === 3) {
          const a = this.value("date", d, allowOpt);
          return { t: `((month starts from ${a.t} through ${this.value("date", d, allowOpt).t}) otherwise 0)`, opt: false };
        }
        if (k === 4) {
          const a = this.value("num", d, allowOpt);
          return { t: `(-${a.t})`, opt: a.opt };
        }
        return this.value("num", 0, allowOpt);
      }
      case "score": {
        const a = this.value("score", d, allowOpt);
        const b = this.value(r.chance(0.5) ? "score" : "num", d, allowOpt);
        return { t: `(${a.t} ${r.pick(["+", "-"])} ${b.t})`, opt: a.opt || b.opt };
      }
      case "money": {
        const k = r.int(0, 7);
        const a = this.value("money", d, allowOpt);
        if (k === 6) {
          const b = this.value("money", d, allowOpt);
          return { t: `${r.pick(["min", "max"])}(${a.t}, ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 7) {
          const c = this.cond(d, allowOpt, false);
          const b = this.value("money", d, allowOpt);
          return { t: `choose(${c.t}, ${a.t}, ${b.t})`, opt: c.opt || a.opt || b.opt };
        }
        if (k === 0) {
          const b = this.value("money", d, allowOpt);
          return { t: `(${a.t} ${r.pick(["+", "-"])} ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 1) {
          const b = this.value("num", d, allowOpt);
          return { t: `(${a.t} * ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 2) {
          const b = this.value("num", d, allowOpt);
          return { t: `(${a.t} / ${b.t})`, opt: a.opt || b.opt };
        }
        if (k === 3) return { t: `(${r.pick(["40%", "25%", "100%", "33.3%"])} of ${a.t})`, opt: a.opt };
        if (k === 4) {
          const b = this.value("pct", d, allowOpt);
          return { t: `(${a.t} * ${b.t})`, opt: a.opt || b.opt };
        }
        return { t: `(${a.t} otherwise ${this.lit("money")})`, opt: false };
      }
      case "pct": {
        const a = this.value("pct", d, allowOpt);
        const b = this.value("pct", d, allowOpt);
        return { t: `(${a.t} ${r.pick(["+", "-"])} ${b.t})`, opt: a.opt || b.opt };
      }
      case "date": {
        const fsD = this.fieldsOf("date", true);
        let t = this.lit("date");
        if (fsD.length) t = `(${r.pick(fsD).name} otherwise ${this.lit("date")})`;
        // a date moved by a duration
        if (r.chance(0.35)) t = `(${t} ${r.pick(["+", "-"])} ${r.pick(["1", "14", "30", "90"])} ${r.pick(["days", "weeks", "months"])})`;
        return { t, opt: false };
      }
      default:
        return { t: this.lit(ty), opt: false };
    }
  }

  /** A condition. */
  cond(depth: number, allowOpt: boolean, clauseRefs: boolean): E {
    const r = this.r;
    const k = r.int(0, depth <= 0 ? 4 : 9);
    const d = depth - 1;
    const cmpOps = ["<", "<=", ">", ">=", "=", "!="];
    switch (k) {
      case 0: {
        const ty = r.pick<Ty>(["num", "score", "num", "money", "pct", "date"]);
        const a = this.value(ty, d, allowOpt);
        const b = ty === "pct" ? { t: this.lit("pct"), opt: false } : r.chance(0.6) ? { t: this.lit(ty), opt: false } : this.value(ty, d, allowOpt);
        return { t: `${a.t} ${r.pick(cmpOps)} ${b.t}`, opt: a.opt || b.opt };
      }
      case 1: {
        const bs = this.fieldsOf("bool", allowOpt);
        const cs = this.metrics.filter((m) => m.ty === "bool" && (allowOpt || !m.opt));
        if (bs.length && (cs.length === 0 || r.chance(0.6))) {
          const f = r.pick(bs);
          return { t: f.name, opt: f.optional };
        }
        if (cs.length) {
          const m = r.pick(cs);
          return { t: m.name, opt: m.opt };
        }
        return { t: `${this.value("num", 0, allowOpt).t} >= ${this.lit("num")}`, opt: false };
      }
      case 2: {
        const f = r.pick(this.fields);
        return { t: `${f.name} ${r.pick(["is missing", "is present"])}`, opt: false };
      }
      case 3: {
        const ty = r.pick<Ty>(["num", "text", "score"]);
        const a = this.value(ty, 0, allowOpt);
        const items = Array.from({ length: r.int(1, 3) }, () => this.lit(ty));
        return { t: `${a.t} ${r.chance(0.7) ? "in" : "not in"} [${items.join(", ")}]`, opt: a.opt };
      }
      case 4: {
        if (r.chance(0.25)) {
          const fn = r.pick(["quarter_of", "month_of"]);
          const lit = fn === "quarter_of" ? r.pick(['"2026-Q4"', '"2027-Q1"', '"2027-Q2"']) : r.pick(['"2026-10"', '"2027-01"', '"2027-05"']);
          return { t: `${fn}(${this.value("date", 1, allowOpt).t}) ${r.pick(["=", "!="])} ${lit}`, opt: false };
        }
        const ty = r.pick<Ty>(["text", "bool"]);
        const a = this.value(ty, 0, allowOpt);
        return { t: `${a.t} ${r.pick(["=", "!="])} ${this.lit(ty)}`, opt: a.opt };
      }
      case 5:
      case 6: {
        const a = this.cond(d, allowOpt, clauseRefs);
        const b = this.cond(d, allowOpt, clauseRefs);
        return { t: `(${a.t} ${k === 5 ? "and" : "or"} ${b.t})`, opt: a.opt || b.opt };
      }
      case 7: {
        const a = this.cond(d, allowOpt, clauseRefs);
        return { t: `not (${a.t})`, opt: a.opt };
      }
      case 8:
        if (clauseRefs && this.clauses.length) return { t: `"${r.pick(this.clauses)}"`, opt: false };
        return { t: r.pick(["true", "false"]), opt: false };
      default: {
        const f = this.fieldsOf("date", true)[0];
        if (f && allowOpt) return { t: `${f.name} <= ${this.lit("date")}`, opt: f.optional };
        return this.cond(0, allowOpt, clauseRefs);
      }
    }
  }

  /** A random contract with its data files. */
  contract(): { source: string; files: DataFile[]; asOf?: string; version?: string } {
    const r = this.r;
    const types: FType[] = ["integer", "count", "decimal", "score", "percent", "money", "boolean", "date", "text"];
    const nFields = r.int(3, 8);
    for (let i = 0; i < nFields; i++) {
      const type = i < 2 ? (i === 0 ? "score" : "count") : r.pick(types);
      this.fields.push({ name: `${type.slice(0, 2)}${i}`, type, optional: i > 1 && r.chance(0.4) });
    }
    const extra: Field[] = r.chance(0.15) ? [{ name: "xs", type: "score", optional: true }, { name: "xb", type: "boolean", optional: false }] : [];
    const lines: string[] = [];
    lines.push(`contract "Generated" version "1" {`);
    const partiesLine = lines.length;
    lines.push(`  parties { district "D"  provider "P"  funder "F" as philanthropy }`);
    lines.push(`  term 2026-09-01 to 2027-06-30`);
    if (r.chance(0.4)) lines.push(`  rounding ${r.pick(["half up", "half even", "down", "up"])} to the ${r.pick(["cent", "cent", "dollar"])}`);
    lines.push(`  data students keyed by student_id {`);
    for (const f of this.fields) lines.push(`    ${f.name}: ${f.optional ? "optional " : ""}${f.type}`);
    lines.push(`  }`);
    if (extra.length) {
      lines.push(`  data extra keyed by student_id {`);
      for (const f of extra) lines.push(`    ${f.name}: ${f.optional ? "optional " : ""}${f.type}`);
      lines.push(`  }`);
      this.fields.push(...extra);
    }
    const escalation = r.chance(0.2);
    if (escalation) lines.push(`  data checkpoints each month {\n    sessions_scheduled: count\n    sessions_attended: count\n  }`);
    const years = r.chance(0.1);
    if (years) lines.push(`  data years keyed by student_id each school_year {\n    tracked: boolean\n    savings: optional money\n  }`);
    const visits = r.chance(0.12);
    const holidays = visits && r.chance(0.5);
    if (visits) {
      lines.push(`  data visits keyed by student_id per visit on held_on {\n    held_on: optional date\n    minutes: count\n    topic: text\n    mark: optional score\n    fee: money\n  }`);
      if (holidays) lines.push(`  data holidays each holiday_date { }`);
      for (let i = 0, n = r.int(1, 3); i < n; i++) {
        const m = this.eventAggregate(holidays);
        lines.push(`  metric v${i} = ${m.t}`);
        this.metrics.push({ name: `v${i}`, ty: m.ty, opt: m.opt });
      }
    }
    // metrics and conditions
    for (let i = 0, n = r.int(0, 3); i < n; i++) {
      const ty = r.pick<Ty>(["num", "score", "money", "bool", "num"]);
      if (ty === "bool") {
        const c = this.cond(2, true, false);
        lines.push(`  condition k${i} = ${c.t}`);
        this.metrics.push({ name: `k${i}`, ty: "bool", opt: c.opt });
      } else {
        const v = this.value(ty, 2, true);
        lines.push(`  metric m${i} = ${v.t}`);
        this.metrics.push({ name: `m${i}`, ty, opt: v.opt });
      }
    }
    // groups of students
    const pops: string[] = [];
    if (r.chance(0.6)) {
      const which = r.pick(["identified", "eligible"]);
      lines.push(`  ${which} students when ${this.cond(2, false, false).t}`);
      pops.push(which);
    }
    if (r.chance(0.35)) {
      lines.push(`  served students when ${this.cond(1, false, false).t}`);
      pops.push("served");
    }
    // clauses
    const kinds = ["base", "milestone", "outcome", "partial", "bonus", "payment"];
    const nClauses = r.int(1, 4);
    const all = Array.from({ length: nClauses }, (_, i) => `C${i}`);
    for (let i = 0; i < nClauses; i++) {
      const name = `C${i}`;
      // references to earlier clauses, and sometimes to a later one (the engine decides it first)
      this.clauses = all.filter((c, j) => j < i || (j > i && r.chance(0.3)));
      const pop = r.chance(0.5) && pops.length ? r.pick(pops) : "";
      const per = `per ${pop ? pop + " " : ""}student`;
      const due = r.chance(0.3) ? ` due ${r.pick(["2026-10-15", "2027-02-28", "2027-06-30"])}` : "";
      const penalty = r.chance(0.12);
      let opt = false;
      let head: string;
      if (!penalty && r.chance(0.25)) {
        const e = this.value(r.pick<Ty>(["num", "score"]), 1, true);
        const hi = r.int(30, 60);
        const lo = r.int(0, hi - 1);
        opt ||= e.opt;
        const other = r.chance(0.8) ? `\n    otherwise: ${r.pick(["$0", "$25"])}` : "";
        head = `  ${r.pick(kinds)} "${name}"${due} pays ${per} in tiers {\n    when ${e.t} >= ${hi}: ${this.lit("money")}\n    when ${e.t} >= ${lo}: ${this.lit("money")}${other}\n  }`;
      } else {
        const amount = penalty ? { t: `-$${r.int(1, 4) * 25}`, opt: false } : r.chance(0.7) ? { t: this.lit("money"), opt: false } : this.value("money", 2, true);
        opt ||= amount.opt;
        head = `  ${penalty ? "penalty" : r.pick(kinds)} "${name}"${due} pays ${amount.t} ${per}`;
      }
      let when = "";
      if (r.chance(0.85)) {
        const c = this.cond(3, true, true);
        opt ||= c.opt;
        when = `\n    when ${c.t}`;
      }
      const missing = opt || r.chance(0.3) ? `\n    if missing: ${r.pick(["not met", "excluded"])}` : "";
      lines.push(head + when + missing);
    }
    this.clauses = all;
    // weights, caps, floor, funding
    for (let i = 0, n = r.int(0, 2); i < n; i++) {
      const on = [...new Set([r.pick(this.clauses), r.pick(this.clauses)])].map((c) => `"${c}"`).join(", ");
      lines.push(`  weight ${r.pick(["1.2", "0.5", "2", "1.25"])} for ${this.cond(1, false, false).t} on ${on}`);
    }
    const hasStudentCap = r.chance(0.4);
    if (hasStudentCap) lines.push(`  cap $${r.int(2, 20) * 50} per student${r.pick(["", ", allocated in order", ", allocated pro rata"])}`);
    if (r.chance(0.3)) lines.push(`  cap $${r.int(1, 30) * 50} on "${r.pick(this.clauses)}"`);
    if (r.chance(0.3)) lines.push(`  cap $${r.int(1, 60) * 50} per contract`);
    if (r.chance(0.2)) lines.push(`  floor $${r.pick([0, 10, 50])} per student`);
    if (r.chance(0.4)) {
      lines.push(`  funding {\n    philanthropy pays ${r.pick(["40%", "33.3%", "50%", "12.5%"])} of every line${r.chance(0.5) ? `, rounded ${r.pick(["half even", "down", "up"])} to the cent` : ""}\n    district pays the rest\n  }`);
    } else {
      // without a funding section the district must be the only party that could pay
      lines[partiesLine] = `  parties { district "D"  provider "P" }`;
    }
    // cohort clauses
    if (r.chance(0.25)) {
      const g = pops.length && r.chance(0.5) ? `${r.pick(pops)} students` : "students";
      const numField = this.fieldsOf("num", true)[0]?.name ?? "co1";
      lines.push(`  cohort "Reach"${r.chance(0.3) ? " due 2027-06-30" : ""} {`);
      lines.push(`    let n = count of ${g} where (${this.cond(1, true, true).t})`);
      lines.push(`    let s = share of ${g} where (${this.cond(1, true, true).t})`);
      lines.push(`    let t = sum of (${numField}) over ${g}`);
      lines.push(`    pays ${r.pick(["$1,000", "$10 * n", "$5 * t"])} when s >= ${r.pick(["25%", "50%", "60%"])}`);
      lines.push(`  }`);
    }
    if (years) {
      lines.push(`  cohort "Yearly" over years {\n    let k = count where (tracked)\n    let v = sum of (savings) where (tracked)\n    pays ${r.pick(["$100 * k", "50% of v"])}\n  }`);
    }
    if (escalation) {
      lines.push(`  escalation "Attendance" over checkpoints {
    measure rate = sessions_attended / sessions_scheduled
    level 1 when rate < 75% {
      provider "sends a plan"
    }
    level 2 when rate < ${r.pick(["75%", "60%"])} for 2 consecutive checkpoints {
      withhold ${r.pick(["10%", "25%"])} of ${r.pick(["milestone", "all", "outcome"])} payments${r.chance(0.5) ? " until rate >= 75%" : ""}
    }
  }`);
    }
    const versions = r.chance(0.25) ? this.amendments(lines, hasStudentCap) : [];
    lines.push(`}`);
    return {
      source: lines.join("\n") + "\n",
      files: this.data(extra, escalation, years, visits, holidays),
      asOf: r.chance(0.3) ? r.pick(["2027-01-01", "2026-12-01", "2027-07-01"]) : undefined,
      ...(versions.length && r.chance(0.3) ? { version: r.pick(["1", ...versions]) } : {}),
    };
  }

  /**
   * One or two amendments that overwrite, replace, rename and remove clauses (only clauses
   * nothing else refers to are replaced or removed), and sometimes remove the cap per student.
   * @returns the amendments' versions
   */
  amendments(lines: string[], hasStudentCap: boolean): string[] {
    const r = this.r;
    const out: string[] = [];
    const names = [...this.clauses];
    let capLeft = hasStudentCap;
    const dates = ["2026-10-01", "2026-12-01", "2027-01-01", "2027-03-01"];
    let from = 0;
    for (let v = 2; v <= 3 && (v === 2 || r.chance(0.4)); v++) {
      from = r.int(from, dates.length - 1);
      const body: string[] = [];
      const referred = (n: string) => lines.join("\n").split(`"${n}"`).length - 1 + body.join("\n").split(`"${n}"`).length - 1 > 1;
      const newClause = (name: string) => {
        const due = r.chance(0.4) ? ` due ${r.pick(["2026-11-15", "2027-02-28", "2027-06-30"])}` : "";
        const c = this.cond(2, true, false);
        return `${r.pick(["milestone", "outcome", "payment"])} "${name}"${due} pays ${this.lit("money")} per student\n      when ${c.t}${c.opt ? "\n      if missing: not met" : ""}`;
      };
      for (let k = 0, n = r.int(1, 3); k < n && names.length; k++) {
        const target = r.pick(names);
        const op = r.int(0, 4);
        if (op === 0) {
          const to = `R${v}${k}`;
          body.push(`    rename "${target}" to "${to}"`);
          names[names.indexOf(target)] = to;
        } else if (op === 1 && !referred(target)) {
          const a = `${target}a${v}`;
          const b = `${target}b${v}`;
          body.push(`    replace "${target}" with {\n      ${newClause(a)}\n      ${newClause(b)}\n    }`);
          names.splice(names.indexOf(target), 1, a, b);
        } else if (op === 2 && !referred(target) && names.length > 1) {
          body.push(`    remove "${target}"`);
          names.splice(names.indexOf(target), 1);
        } else if (op === 3 && capLeft) {
          body.push(`    remove cap per student`);
          capLeft = false;
        } else {
          body.push(`    ${newClause(target)}`);
        }
      }
      lines.push(`  amendment "${v}" effective ${dates[from]} {`, ...body, `  }`);
      out.push(String(v));
    }
    return out;
  }

  /** A condition on one row of visits. */
  visitCond(depth: number): string {
    const r = this.r;
    if (depth > 0 && r.chance(0.35)) return `(${this.visitCond(depth - 1)} ${r.pick(["and", "or"])} ${this.visitCond(depth - 1)})`;
    switch (r.int(0, 5)) {
      case 0: return `minutes >= ${r.pick([10, 25, 30, 45])}`;
      case 1: return `topic ${r.pick(["=", "!="])} ${r.pick(['"A"', '"B"'])}`;
      case 2: return `held_on >= ${r.pick(["2026-09-15", "2026-10-01", "2026-11-01"])}`;
      case 3: return `mark ${r.pick(["is missing", "is present"])}`;
      case 4: return `mark >= ${r.int(30, 80)}`;
      default: return `not (fee > $${r.pick([20, 40])})`;
    }
  }

  /** An aggregate of a student's visits, with its type and whether it may be missing. */
  eventAggregate(holidays: boolean): { t: string; ty: Ty; opt: boolean } {
    const r = this.r;
    const where = r.chance(0.7) ? ` where (${this.visitCond(2)})` : "";
    switch (r.int(0, 7)) {
      case 0: return { t: `count of visits${where}`, ty: "num", opt: false };
      case 1: return { t: `sum of (minutes) over visits${where}`, ty: "num", opt: false };
      case 2: return { t: `sum of (${r.pick(["fee", "fee * 2", "fee / 4"])}) over visits${where}`, ty: "money", opt: false };
      case 3: return { t: `count of weeks with at least ${r.int(1, 3)} visits${where}`, ty: "num", opt: false };
      case 4: return { t: `longest run of weeks with at least ${r.int(1, 2)} visits${where}${holidays && r.chance(0.7) ? " excluding holidays" : ""}`, ty: "num", opt: false };
      case 5: return { t: `${r.pick(["earliest", "latest"])} of (held_on) over visits${where}`, ty: "date", opt: true };
      case 6: return { t: `${r.pick(["earliest", "latest", "highest", "lowest"])} of (mark) over visits${where}`, ty: "score", opt: true };
      default: return { t: `${r.pick(["highest", "lowest"])} of (minutes) over visits${where}`, ty: "num", opt: true };
    }
  }

  cell(f: Field): string {
    const r = this.r;
    if (f.optional && r.chance(0.2)) return r.pick(["", "*"]);
    if (r.chance(0.03)) return "";
    if (r.chance(0.02)) return "abc";
    switch (f.type) {
      case "integer": return String(r.int(-3, 12));
      case "count": return String(r.int(0, 40));
      case "decimal": return r.chance(0.5) ? String(r.int(0, 40)) : `${r.int(0, 40)}.${r.int(0, 99)}`;
      case "score": return r.chance(0.85) ? String(r.int(20, 95)) : `${r.int(20, 95)}.5`;
      case "percent": return r.pick(["75", "80%", "33.3", "100", "0", "60%"]);
      case "money": return r.pick(["900", "$1,200.50", "0", "333.33", "$45", "1,000"]);
      case "boolean": return r.pick(["yes", "no", "true", "false", "Y", "0"]);
      case "date": return r.pick(["2026-09-20", "2026-10-15", "2026-10-16", "2027-05-01", "4/30/2027", "2027-06-30"]);
      case "text": return r.pick(["A", "B", "C", " A "]);
    }
  }

  data(extra: Field[], escalation: boolean, years: boolean, visits = false, holidays = false): DataFile[] {
    const r = this.r;
    const base = this.fields.filter((f) => !extra.includes(f));
    // mostly small; sometimes enough students for caps shared among many equal amounts
    const n = r.chance(0.08) ? r.int(30, 60) : r.int(0, 10);
    const ids: string[] = [];
    const rows = [["student_id", ...base.map((f) => f.name)].join(",")];
    for (let i = 0; i < n; i++) {
      const id = r.chance(0.05) && ids.length ? r.pick(ids) : `S${String(i + 1).padStart(2, "0")}`;
      ids.push(id);
      rows.push([id, ...base.map((f) => this.cell(f))].join(","));
    }
    const files: DataFile[] = [{ label: "students.csv", text: rows.join("\n") + "\n", dataSet: "students" }];
    if (extra.length) {
      const xr = ["student_id,xs,xb"];
      for (const id of ids) if (r.chance(0.7)) xr.push(`${id},${this.cell(extra[0]!)},${this.cell(extra[1]!)}`);
      files.push({ label: "extra.csv", text: xr.join("\n") + "\n", dataSet: "extra" });
    }
    if (escalation) {
      const cr = ["month,sessions_scheduled,sessions_attended"];
      for (const m of ["2026-10", "2026-11", "2026-12", "2027-01"]) {
        const s = r.chance(0.15) ? 0 : r.int(10, 40);
        cr.push(`${m},${s},${r.int(0, s)}`);
      }
      files.push({ label: "checkpoints.csv", text: cr.join("\n") + "\n", dataSet: "checkpoints" });
    }
    if (years) {
      const yr = ["student_id,school_year,tracked,savings"];
      for (const id of ids) for (const y of ["2026-27", "2027-28"]) if (r.chance(0.7)) yr.push(`${id},${y},${r.pick(["yes", "no"])},${r.pick(["", "100", "250.50"])}`);
      files.push({ label: "years.csv", text: yr.join("\n") + "\n", dataSet: "years" });
    }
    if (visits) {
      const vr = ["student_id,held_on,minutes,topic,mark,fee"];
      const day = (d: number) => new Date(Date.UTC(2026, 8, 1 + d)).toISOString().slice(0, 10);
      for (const id of ids) {
        for (let k = 0, n = r.int(0, 6); k < n; k++) {
          const d = r.chance(0.08) ? "" : `${day(r.int(0, 120))}${r.chance(0.3) ? ` ${String(r.int(8, 17)).padStart(2, "0")}:${r.pick(["00", "30"])}:00` : ""}`;
          vr.push(`${id},${d},${r.int(5, 60)},${r.pick(["A", "B"])},${r.chance(0.3) ? "" : r.int(20, 95)},${r.pick(["10", "25.50", "$40", "0.01"])}`);
        }
      }
      files.push({ label: "visits.csv", text: vr.join("\n") + "\n", dataSet: "visits" });
    }
    if (holidays) {
      const hr = ["holiday_date"];
      for (const d of new Set(["2026-10-12", "2026-11-25", r.pick(["2026-12-21", "2026-09-30", "2026-10-20"])])) hr.push(d);
      files.push({ label: "holidays.csv", text: hr.join("\n") + "\n", dataSet: "holidays" });
    }
    return files;
  }
}

export function generateCase(seed: number): { source: string; files: DataFile[]; asOf?: string; version?: string } {
  return new ContractGen(new Rng(seed)).contract();
}

