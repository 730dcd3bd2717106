/**
 * Pricing by simulation in the editor's worker: engine/fast/simulate.ts, with the total of
 * each simulated cohort (for the histogram) as the engine reports it. Browser-safe.
 */
import type { ContractIR } from "../../../language/check/ir.ts";
import { DEFAULTS, simulateRuns, type SimulationOptions, type SimulationResult } from "../../../engine/fast/simulate.ts";

/** simulate() and the total paid to each cohort, in dollars, in run order. */
export function simulateWithTotals(ir: ContractIR, source: string, options: SimulationOptions = {}): { result: SimulationResult; totals: number[] } {
  const { result, cohortTotals } = simulateRuns(ir, source, options);
  return { result, totals: cohortTotals.map((c) => c / 100) };
}

/** The editor's limits: the worker answers within a few seconds. */
export const SIM_LIMITS = { maxCohort: 100_000, maxRuns: 10_000, maxStudents: 2_000_000 };
/** Bars of the histogram of cohort totals. */
export const SIM_BINS = 12;
/** The editor's defaults: the CLI's, with fewer runs to stay fast. */
export const EDITOR_SIM_DEFAULTS = { ...DEFAULTS, runs: 200 };

/** The fields of the editor's simulation form. */
export type SimFormKey = "cohort" | "runs" | "seed" | "baseline" | "growth" | "attendance" | "missing" | "pTrue";

/** The form's text as options, or the first problem in plain words. */
export function parseSimulationForm(values: Record<SimFormKey, string>): SimulationOptions | string {
  const whole = (k: SimFormKey, label: string): number | string => (/^\s*\d+\s*$/.test(values[k]) ? Number(values[k]) : `${label} must be a whole number.`);
  const num = (k: SimFormKey, label: string): number | string => {
    const n = Number(values[k].trim());
    return values[k].trim() !== "" && Number.isFinite(n) && n >= 0 && n <= 1 ? n : `${label} must be a share between 0 and 1, e.g. 0.05.`;
  };
  const dist = (k: SimFormKey, label: string) => {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(values[k]);
    return m ? { mean: Number(m[1]), sd: Number(m[2]) } : `${label} takes a mean and a standard deviation, e.g. 50, 10.`;
  };
  const out = {
    cohort: whole("cohort", "The cohort size"),
    runs: whole("runs", "The number of runs"),
    seed: whole("seed", "The seed"),
    baseline: dist("baseline", "The baseline"),
    growth: dist("growth", "The growth"),
    attendance: dist("attendance", "The attendance"),
    missing: num("missing", "The share missing"),
    pTrue: num("pTrue", "The chance of true"),
  };
  for (const v of Object.values(out)) if (typeof v === "string") return v;
  return out as SimulationOptions;
}
