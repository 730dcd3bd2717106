/**
 * The human-readable report of `obc run`: students, totals, cohorts, escalation checkpoints
 * and data quality, as aligned tables. Money is printed like `$1,080.00`.
 *
 * Input is the documented run result (engine/output.ts); nothing here recomputes payments
 * except the column sums of the student table, which add exact cents.
 */
import type { DataProblem } from "../engine/data.ts";
import type { InternalError, RunResult } from "../engine/output.ts";
import { allProblems, formatMoney, LINE_CELL_LEGEND, lineCell, problemWhere } from "../engine/report.ts";

export { allProblems, formatMoney, problemWhere };
import { renderTable, SEPARATOR, type Align, type Row } from "./table.ts";

/** Why a run's result was refused: OBC broke one of its own guarantees (OBC9001). */
export function renderInternalError(e: InternalError): string {
  return e.failures.map((f) => `error[${e.code}]: ${f}\n`).join("");
}

/** The one line a command ends with when a result carries an internal error. */
export const INTERNAL_REFUSAL = "internal error OBC9001: the result breaks OBC's own guarantees, so nothing was written; it must not be paid or recorded";

/** "1080.00" → 108000n (exact cents); amounts always carry two decimals in run results. */
function toCents(amount: string): bigint {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (!m) return 0n;
  const v = BigInt(m[2]) * 100n + BigInt(m[3]);
  return m[1] ? -v : v;
}

function fromCents(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
}

function section(title: string): string {
  return `${title}\n`;
}

/** The data problems as a table: severity, file:row, column, rule, message. */
export function problemsTable(problems: readonly DataProblem[], indent = "  "): string {
  return renderTable(
    ["Severity", "Where", "Column", "Rule", "Message"],
    problems.map((p) => [p.severity, problemWhere(p), p.column ?? "", p.rule, p.message]),
    { indent },
  );
}

function studentsSection(r: RunResult, money: (a: string) => string): string {
  const clauses: { id: string; name: string }[] = [];
  for (const s of r.students) {
    for (const l of s.lines) if (!clauses.some((c) => c.id === l.clause)) clauses.push({ id: l.clause, name: l.clauseName });
  }
  const payers = Object.keys(r.totals.byPayer);
  for (const s of r.students) for (const p of Object.keys(s.funding)) if (!payers.includes(p)) payers.push(p);

  // with a cap per contract, each student's amount before it (after the caps per student and the floor)
  const before = r.totals.contractCap !== undefined;
  const header = ["Student", ...clauses.map((c) => c.name), ...(before ? ["Before contract cap"] : []), "Total", ...payers];
  const align: Align[] = ["left", ...header.slice(1).map((): Align => "right")];
  const sums = new Map<string, bigint>();
  const add = (k: string, a: string) => sums.set(k, (sums.get(k) ?? 0n) + toCents(a));
  const rows: Row[] = r.students.map((s) => {
    const cells = clauses.map((c) => {
      const line = s.lines.find((l) => l.clause === c.id);
      if (line) add(`c:${c.id}`, line.paid);
      return lineCell(line, money);
    });
    add("total", s.total);
    add("before", s.beforeContractCap);
    for (const p of payers) add(`p:${p}`, s.funding[p] ?? "0.00");
    return [s.id, ...cells, ...(before ? [money(s.beforeContractCap)] : []), money(s.total), ...payers.map((p) => money(s.funding[p] ?? "0.00"))];
  });
  const sum = (k: string) => money(fromCents(sums.get(k) ?? 0n));
  rows.push(SEPARATOR, [
    `Total (${r.students.length})`,
    ...clauses.map((c) => sum(`c:${c.id}`)),
    ...(before ? [sum("before")] : []),
    sum("total"),
    ...payers.map((p) => sum(`p:${p}`)),
  ]);
  const legend = `  ${LINE_CELL_LEGEND}\n`;
  return section(`Students (paid per clause, after caps)`) + renderTable(header, rows, { align, indent: "  " }) + legend;
}

function totalsSection(r: RunResult, money: (a: string) => string): string {
  const names = new Map<string, string>();
  for (const s of r.students) for (const l of s.lines) names.set(l.clause, l.clauseName);
  for (const c of r.cohorts) names.set(c.clause, c.clauseName);
  const t = r.totals;
  const byClause: Row[] = Object.entries(t.byClause).map(([id, a]) => [names.get(id) ?? id, money(a)]);
  byClause.push(SEPARATOR, ["Total paid", money(t.paid)]);
  const byPayer: Row[] = Object.entries(t.byPayer).map(([p, a]) => [p, money(a)]);
  byPayer.push(SEPARATOR, ["Total paid", money(t.paid)]);
  const lines = [
    `  Before caps: ${money(t.uncapped)}   Paid: ${money(t.paid)}   Withheld: ${money(t.withheld)}`,
  ];
  if (t.contractCap) {
    lines.push(
      `  Before the contract cap: ${money(t.beforeContractCap)}   Contract cap: ${money(t.contractCap.cap)} (${t.contractCap.binds ? `binds: paid = before the contract cap × ${t.contractCap.factor}` : "does not bind"})`,
    );
  }
  return (
    section("Totals") +
    renderTable(["Clause", "Paid"], byClause, { align: ["left", "right"], indent: "  " }) +
    "\n" +
    renderTable(["Payer", "Paid"], byPayer, { align: ["left", "right"], indent: "  " }) +
    "\n" +
    lines.join("\n") +
    "\n"
  );
}

function cohortsSection(r: RunResult, money: (a: string) => string): string {
  const rows: Row[] = r.cohorts.map((c) => [
    c.period ?? "",
    c.clauseName,
    Object.entries(c.values)
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n"),
    c.status,
    money(c.paid),
  ]);
  return (
    section("Cohort results") +
    renderTable(["Period", "Clause", "Values", "Status", "Paid"], rows, {
      align: ["left", "left", "left", "left", "right"],
      indent: "  ",
    })
  );
}

function escalationsSection(r: RunResult): string {
  return r.escalations
    .map((e) => {
      const withholding = e.checkpoints.some((c) => c.withholding !== undefined);
      const termination = e.checkpoints.some((c) => c.terminationRight);
      const header = ["Period", "Measures", "Level", "Actions"];
      if (withholding) header.push("Withholding");
      if (termination) header.push("May terminate");
      const rows: Row[] = e.checkpoints.map((c) => {
        const row = [
          c.period,
          Object.entries(c.measures)
            .map(([k, v]) => `${k} = ${v}`)
            .join("\n"),
          String(c.level),
          c.actions.length > 0 ? c.actions.join("\n") : "-",
        ];
        if (withholding) row.push(c.withholding ?? "-");
        if (termination) row.push(c.terminationRight ? "yes" : "no");
        return row;
      });
      return (
        section(`Escalation "${e.name}" (checkpoints)`) +
        renderTable(header, rows, { align: ["left", "left", "right", "left"], indent: "  " })
      );
    })
    .join("\n");
}

function dataQualitySection(r: RunResult): string {
  const files = renderTable(
    ["File", "Data set", "Rows read", "Accepted", "Rejected"],
    r.dataQuality.files.map((f) => [f.file, f.dataSet, String(f.rowsRead), String(f.rowsAccepted), String(f.rowsRejected)]),
    { align: ["left", "left", "right", "right", "right"], indent: "  " },
  );
  const problems = allProblems(r);
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const summary =
    problems.length === 0
      ? "  No data problems.\n"
      : `  ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}:\n` + problemsTable(problems);
  return section("Data quality") + files + "\n" + summary;
}

/**
 * The whole human-readable report of a run.
 * @param r the run result
 * @returns text ending in a newline
 */
export function renderRunReport(r: RunResult): string {
  const money = (a: string) => formatMoney(a, r.contract.currency);
  const title =
    `${r.contract.title}${r.contract.version ? ` (version ${r.contract.version})` : ""}` +
    ` — amounts in ${r.contract.currency}${r.asOf ? `, as of ${r.asOf}` : ""}`;
  const parts = [title + "\n"];
  if (r.students.length > 0) parts.push(studentsSection(r, money));
  parts.push(totalsSection(r, money));
  if (r.cohorts.length > 0) parts.push(cohortsSection(r, money));
  if (r.escalations.length > 0) parts.push(escalationsSection(r));
  parts.push(dataQualitySection(r));
  return parts.join("\n");
}
