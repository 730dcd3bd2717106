/**
 * Monitoring a portfolio on a date: for each contract, students on track for each milestone
 * and outcome, the deadlines and escalation checkpoints coming due, the escalation level now,
 * and the forecast of its final payout (expected value, 90% range, the part already certain).
 *
 *   monitorPortfolio(portfolio, runs, date, { days, runs, seed }) → PortfolioMonitor
 */
import type { Portfolio } from "./format.ts";
import { forecastContract, type ContractForecast } from "./forecast.ts";
import type { ContractRun } from "./run.ts";
import { deadlinesAfter, escalationStates, type Deadline, type EscalationState } from "./status.ts";

export interface ContractMonitor {
  id: string;
  title: string;
  district: string;
  provider: string;
  /** deadlines and checkpoints within the window */
  upcoming: Deadline[];
  escalations: EscalationState[];
  forecast: ContractForecast;
}

export interface PortfolioMonitor {
  schema: "obc.portfolio-monitor/1";
  portfolio: string;
  date: string;
  /** the window for upcoming deadlines, in days */
  days: number;
  currency: string;
  contracts: ContractMonitor[];
  /** the portfolio's forecast: sums of the contracts' expected values and certain parts (ranges do not add) */
  expected: bigint;
  certain: bigint;
}

export interface MonitorOptions {
  /** upcoming deadlines within this many days (default 45) */
  days?: number;
  runs?: number;
  seed?: number;
  only?: ReadonlySet<string>;
}

const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Monitors every contract (or those in `only`) on `date`, from its latest run. */
export async function monitorPortfolio(p: Portfolio, runs: readonly ContractRun[], date: string, o: MonitorOptions = {}): Promise<PortfolioMonitor> {
  const days = o.days ?? 45;
  const until = addDays(date, days);
  const runOf = new Map(runs.map((r) => [r.contract.id, r]));
  const contracts: ContractMonitor[] = [];
  for (const c of p.contracts) {
    if (o.only && !o.only.has(c.id)) continue;
    const result = runOf.get(c.id)?.result;
    contracts.push({
      id: c.id,
      title: c.title,
      district: c.district.name,
      provider: c.provider.name,
      upcoming: deadlinesAfter(c.ir, date, result, 50).filter((d) => d.date <= until),
      escalations: escalationStates(c.ir, result),
      forecast: await forecastContract(c, date, { ...(o.runs !== undefined ? { runs: o.runs } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}) }),
    });
  }
  return {
    schema: "obc.portfolio-monitor/1",
    portfolio: p.name,
    date,
    days,
    currency: p.currency,
    contracts,
    expected: contracts.reduce((a, c) => a + c.forecast.expected, 0n),
    certain: contracts.reduce((a, c) => a + c.forecast.certain, 0n),
  };
}
