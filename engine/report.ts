/**
 * How a run's results read in a table, for every place that shows them: `obc run`'s report
 * (cli/report.ts), the editor's grid and data-quality report, and its CSV export. Browser-safe.
 *
 *   formatMoney("1080.00")      → "$1,080.00"
 *   lineCell(line, money)       → "$900.00", "missing" or "-" (a student's cell for a clause)
 *   allProblems(result)         → every data problem, per file first, then the run's
 *   problemWhere(problem)       → "students.csv:4"
 *   resultsCsv(result)          → one row per payment line (CSV)
 */
import type { DataProblem } from "./data.ts";
import type { PaymentLine, RunResult } from "./output.ts";

const SYMBOLS: Record<string, string> = { USD: "$", GBP: "£", EUR: "€" };

/**
 * Formats a decimal amount string ("1080.00", "-12.5") with thousands separators and the currency.
 * @param amount major units as the engine writes them
 * @param currency ISO 4217 code; $, £ and € are used for USD, GBP and EUR, else the code
 * @returns e.g. "$1,080.00", "-$12.50", "CAD 7.00"
 */
export function formatMoney(amount: string, currency = "USD"): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return amount;
  const [, sign, whole, frac = ""] = m;
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (frac + "00").slice(0, Math.max(2, frac.length));
  const symbol = SYMBOLS[currency];
  const body = `${grouped}.${cents}`;
  return symbol ? `${sign}${symbol}${body}` : `${sign}${currency} ${body}`;
}

/**
 * A student's cell for one clause: what it paid when met, `missing` when the data it needs is
 * missing, `-` when not met, excluded or not eligible (no line).
 */
export function lineCell(line: PaymentLine | undefined, money: (amount: string) => string): string {
  if (!line) return "-";
  if (line.status === "met") return money(line.paid);
  return line.status === "missing" ? "missing" : "-";
}

/** What the cells other than amounts mean. */
export const LINE_CELL_LEGEND = "- = not met or not eligible; missing = the data needed is missing";

/** The location of a data problem as `file:row`, or just the file. */
export function problemWhere(p: DataProblem): string {
  return p.row !== undefined ? `${p.file}:${p.row}` : p.file;
}

/** Every data problem of a run: per file first, then those about the run as a whole. */
export function allProblems(r: RunResult): DataProblem[] {
  return [...r.dataQuality.files.flatMap((f) => f.problems), ...r.dataQuality.problems];
}

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The run's payments as CSV, one row per payment line (each student's lines in clause order,
 * then each cohort payment), with every payer's share; amounts in major units ("1080.00").
 */
export function resultsCsv(r: RunResult): string {
  const payers = Object.keys(r.totals.byPayer);
  for (const s of r.students) for (const p of Object.keys(s.funding)) if (!payers.includes(p)) payers.push(p);
  const header = ["student_id", "clause", "clause_name", "kind", "period", "status", "base", "weight", "amount", "paid", "withheld", ...payers.map((p) => `paid_by_${p}`), "reason"];
  const rows = [header];
  for (const s of r.students) {
    for (const l of s.lines) {
      rows.push([s.id, l.clause, l.clauseName, l.kind, "", l.status, l.base, l.weight, l.amount, l.paid, l.withheld, ...payers.map((p) => l.funding[p] ?? "0.00"), l.reason]);
    }
  }
  for (const c of r.cohorts) {
    rows.push(["", c.clause, c.clauseName, "cohort", c.period ?? "", c.status, c.amount, "1", c.amount, c.paid, "0.00", ...payers.map((p) => c.funding[p] ?? "0.00"), c.reason]);
  }
  return rows.map((row) => row.map(csvCell).join(",")).join("\n") + "\n";
}
