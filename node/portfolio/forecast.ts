/**
 * Monitoring and forecast during the year: for each contract, from its drops so far, what it is
 * likely to pay in the end (expected value and a 90% range), how much of that is already
 * certain, and how many students are on track for each milestone and outcome.
 *
 *   forecastContract(contract, date, opts) → ContractForecast
 *
 * The forecast pays the contract many times (`simulateRoster`, the engine's simulation) on the
 * students of the latest drop, each value projected from the data so far:
 * - values already measured, and milestones already due, stay as they are;
 * - counts and numbers that are still growing (sessions, hours) keep each student's pace between
 *   the two latest drops (a month or more apart; from the start of the term when there is one
 *   drop), scaled in each run by a factor around 1 (`paceUncertainty`), until the earliest
 *   deadline of a clause that reads them, or the end of tutoring (`servicesEnd`, default the end
 *   of the term);
 * - an optional date that has not happened yet (a first session, an exit) happens at the rate
 *   the drop shows for the other students (events per student-day at risk since the term began);
 * - a later score not measured yet (`eoy_…`) is the student's earlier score of the same measure
 *   (`boy_…`, or the one earlier score) plus growth: each run draws the contract's mean growth
 *   from the portfolio's planning assumption, updated by the growth already measured (a normal
 *   prior and likelihood), and each student's growth around it; some are missing (`missing`).
 * The final settlement is the end of the term. Withholdings and escalation levels are those of
 * the checkpoints so far. Students who are not on the roster yet are not forecast.
 *
 * "Certain" is the least that the clauses already decided (due on or before the drop's date)
 * pay in any run. A student is on track for an undecided clause when the clause is met in at
 * least half of the runs.
 */
import type { ContractIR } from "../../language/check/ir.ts";
import { compositeIR } from "../../engine/amendments.ts";
import type { Value } from "../../engine/data.ts";
import { LATER, simulateRoster, stats, type Dist, type Projection, type ProjectedStudent } from "../../engine/fast/simulate.ts";
import { toCents } from "../ledger/index.ts";
import { dropsInForce, type PortfolioContract } from "./format.ts";
import { studentValues } from "./run.ts";
import { clauseOpen, fieldsRead } from "./status.ts";

export const DEFAULT_ASSUMPTIONS = { growth: { mean: 8, sd: 7 }, growthUncertainty: 3, missing: 0.05, paceUncertainty: 0.15 };

export interface ClauseTrack {
  clause: string;
  name: string;
  due?: string;
  /** decided: no later data can change it */
  decided: boolean;
  /** students for whom the clause is met now (decided clauses) or in the end in at least half of the runs */
  met: number;
  /** undecided: met in at least half of the runs */
  onTrack: number;
  /** undecided: met in fewer than half of the runs (but in some) */
  atRisk: number;
  /** decided and not met, or met in no run */
  notMet: number;
}

export interface ContractForecast {
  id: string;
  title: string;
  drop?: string;
  /** the drop's date: the data so far */
  dataAsOf?: string;
  /** the date of the final settlement the forecast is for */
  final: string;
  students: number;
  runs: number;
  seed: number;
  /** cents */
  expected: bigint;
  p5: bigint;
  p50: bigint;
  p95: bigint;
  certain: bigint;
  byClause: { clause: string; name: string; expected: bigint; p5: bigint; p95: bigint }[];
  tracks: ClauseTrack[];
  growth: { prior: Dist; uncertainty: number; posterior: Dist; observed: number };
  /** the pace factor's sd, and the day counts stop growing */
  pace: { uncertainty: number; servicesEnd: string };
}

export interface ForecastOptions {
  runs?: number;
  seed?: number;
}

const dayMs = 86_400_000;
const dayOf = (d: string) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / dayMs;
const num = (v: Value | undefined): number | undefined => (v && v.kind === "number" ? Number(v.value.toDecimalString(6)) : undefined);

/** Per field, the earliest deadline of a clause that reads it (directly, through a metric or its group), else the end of the term. */
function horizons(ir: ContractIR, end: string): Map<string, string> {
  const out = new Map<string, string>([...ir.fields.keys()].map((f) => [f, end]));
  for (const c of ir.clauses) {
    if (!c.decl.due) continue;
    const due = c.decl.due.value;
    const read = fieldsRead(c.decl.condition, ir);
    fieldsRead(c.decl.amount, ir, read);
    if (c.decl.population !== "all") fieldsRead(ir.populations[c.decl.population]?.condition, ir, read);
    for (const f of read) if (due < out.get(f)!) out.set(f, due);
  }
  return out;
}

/** The earlier score a later one grows from: `eoy_x` ← `boy_x` (same ending), else the one earlier score. */
export function baselineFields(ir: ContractIR): Map<string, string> {
  const scores = [...ir.fields.values()].filter((f) => f.type === "score");
  const later = scores.filter((f) => LATER.test(f.name));
  const earlier = scores.filter((f) => !LATER.test(f.name));
  const out = new Map<string, string>();
  for (const l of later) {
    const tail = l.name.replace(/^[a-z]+_/i, "");
    const same = earlier.filter((e) => e.name.replace(/^[a-z]+_/i, "") === tail);
    const pick = same.length === 1 ? same[0] : earlier.length === 1 ? earlier[0] : undefined;
    if (pick) out.set(l.name, pick.name);
  }
  return out;
}

/** Forecasts one contract's final payout from its drops in force on `date`. */
export async function forecastContract(c: PortfolioContract, date: string, opts: ForecastOptions = {}): Promise<ContractForecast> {
  const runs = opts.runs ?? 1000;
  const seed = opts.seed ?? 1;
  const a = { ...DEFAULT_ASSUMPTIONS, ...c.forecast, growth: c.forecast.growth ?? DEFAULT_ASSUMPTIONS.growth };
  const ir = c.ir;
  const start = ir.term?.start ?? date;
  const end = ir.term?.end ?? date;
  // counts stop growing when tutoring ends
  const servicesEnd = a.servicesEnd !== undefined && a.servicesEnd < end ? a.servicesEnd : end;
  const drops = dropsInForce(c, date);
  const latest = drops[drops.length - 1];
  const base: ContractForecast = {
    id: c.id,
    title: c.title,
    final: end,
    students: 0,
    runs,
    seed,
    expected: 0n,
    p5: 0n,
    p50: 0n,
    p95: 0n,
    certain: 0n,
    byClause: ir.clauses.map((x) => ({ clause: x.id, name: x.name, expected: 0n, p5: 0n, p95: 0n })),
    tracks: [],
    growth: { prior: a.growth, uncertainty: a.growthUncertainty, posterior: { ...a.growth, sd: a.growthUncertainty }, observed: 0 },
    pace: { uncertainty: a.paceUncertainty, servicesEnd },
  };
  if (!latest) return base;
  const loadIr = compositeIR(ir, latest.asOf).ir;
  const now = await studentValues(loadIr, latest);
  // the previous drop a month or more before, for the pace of growing counts
  const prevDrop = [...drops].reverse().find((d) => dayOf(latest.asOf) - dayOf(d.asOf) >= 21);
  const prev = prevDrop ? await studentValues(loadIr, prevDrop) : undefined;
  const prevDay = prevDrop ? dayOf(prevDrop.asOf) : dayOf(start);
  const elapsed = Math.max(1, dayOf(latest.asOf) - prevDay);
  const horizon = horizons(ir, end);
  const pairs = baselineFields(ir);
  const fields = [...ir.fields.values()];

  // growth measured so far: the prior on the mean updated by each observed growth
  const observed: number[] = [];
  for (const key of now.roster) {
    const v = now.values.get(key)!;
    for (const [later, earlier] of pairs) {
      const l = num(v[later]);
      const e = num(v[earlier]);
      if (l !== undefined && e !== undefined) observed.push(l - e);
    }
  }
  const sd = a.growth.sd;
  const tau = a.growthUncertainty;
  const precision = 1 / (tau * tau) + observed.length / (sd * sd);
  const postMean = (a.growth.mean / (tau * tau) + observed.reduce((x, y) => x + y, 0) / (sd * sd)) / precision;
  const posterior = { mean: postMean, sd: Math.sqrt(1 / precision) };

  // which counts still grow: some student's value rose since the previous drop (or, with one drop, is above zero)
  const grows = new Set<string>();
  for (const f of fields) {
    if (f.type !== "count" && f.type !== "decimal") continue;
    if ((horizon.get(f.name) ?? end) <= latest.asOf) continue;
    for (const key of now.roster) {
      const v = num(now.values.get(key)![f.name]);
      const p = prev ? (num(prev.values.get(key)?.[f.name]) ?? 0) : 0;
      if (v !== undefined && v > p) {
        grows.add(f.name);
        break;
      }
    }
  }
  // how often a missing optional date happens: events per student-day at risk since the term began
  const rates = new Map<string, number>();
  for (const f of fields) {
    if (f.type !== "date" || !f.optional) continue;
    let events = 0;
    let exposure = 0;
    for (const key of now.roster) {
      const v = now.values.get(key)![f.name];
      const at = v && v.kind === "date" && v.value > start && v.value <= latest.asOf ? v.value : undefined;
      if (at) events++;
      exposure += Math.max(0, dayOf(at ?? latest.asOf) - dayOf(start));
    }
    rates.set(f.name, exposure > 0 ? events / exposure : 0);
  }

  const roster: ProjectedStudent[] = now.roster.map((key) => {
    const v = now.values.get(key)!;
    const values: Record<string, Projection> = {};
    for (const f of fields) {
      const val = v[f.name] ?? { kind: "missing" };
      let p: Projection = { kind: "known", value: val };
      if (grows.has(f.name) && val.kind === "number") {
        const n = num(val)!;
        const before = prev ? (num(prev.values.get(key)?.[f.name]) ?? 0) : 0;
        const step = f.type === "count" ? 1 : 0.1;
        const until = Math.min(dayOf(horizon.get(f.name) ?? end), dayOf(servicesEnd));
        p = { kind: "accrue", now: n, perDay: Math.max(0, n - before) / elapsed, days: Math.max(0, until - dayOf(latest.asOf)), step };
      } else if (val.kind === "missing" && f.optional && f.type === "date" && (rates.get(f.name) ?? 0) > 0 && latest.asOf < end) {
        p = { kind: "appear", perDay: rates.get(f.name)!, from: latest.asOf, until: end };
      } else if (val.kind === "missing" && f.type === "score" && LATER.test(f.name) && latest.asOf < (horizon.get(f.name) ?? end)) {
        // a later score not measured yet, while it still can be
        const b = pairs.has(f.name) ? num(v[pairs.get(f.name)!]) : undefined;
        p = { kind: "measure", ...(b !== undefined ? { baseline: b } : {}), missing: a.missing };
      }
      values[f.name] = p;
    }
    return { id: key, values };
  });

  const sim = simulateRoster(ir, c.source, roster, {
    runs,
    seed,
    asOf: end,
    growth: { mean: posterior.mean, sd },
    growthUncertainty: posterior.sd,
    paceUncertainty: a.paceUncertainty,
    periodRows: now.period,
  });
  const cents = (x: string) => toCents(x);
  const total = stats(Float64Array.from(sim.totals));
  // decided clauses: due on or before the data's date
  const decided = ir.clauses.map((x) => !clauseOpen(x, latest.asOf, ir));
  let certain = Infinity;
  for (let r = 0; r < runs; r++) {
    let s = 0;
    ir.clauses.forEach((_, k) => decided[k] && (s += sim.byClause[k]![r]!));
    certain = Math.min(certain, s);
  }
  const nC = ir.clauses.length;
  const tracks: ClauseTrack[] = ir.clauses.map((x, k) => {
    const t: ClauseTrack = { clause: x.id, name: x.name, ...(x.decl.due ? { due: x.decl.due.value } : {}), decided: decided[k]!, met: 0, onTrack: 0, atRisk: 0, notMet: 0 };
    for (let s = 0; s < roster.length; s++) {
      const m = sim.met[s * nC + k]!;
      if (decided[k]) {
        if (m > 0) t.met++;
        else t.notMet++;
      } else if (m * 2 >= runs) t.onTrack++;
      else if (m > 0) t.atRisk++;
      else t.notMet++;
    }
    return t;
  });
  return {
    ...base,
    drop: latest.id,
    dataAsOf: latest.asOf,
    students: roster.length,
    expected: cents(total.mean),
    p5: cents(total.p5),
    p50: cents(total.p50),
    p95: cents(total.p95),
    certain: BigInt(Math.round(certain === Infinity ? 0 : certain)),
    byClause: ir.clauses.map((x, k) => {
      const st = stats(Float64Array.from(sim.byClause[k]!));
      return { clause: x.id, name: x.name, expected: cents(st.mean), p5: cents(st.p5), p95: cents(st.p95) };
    }),
    tracks,
    growth: { prior: a.growth, uncertainty: tau, posterior, observed: observed.length },
  };
}
