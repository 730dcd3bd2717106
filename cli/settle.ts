/**
 * `obc settle CONTRACT --data … --ledger FILE --as-of DATE [--now ISO] [--strict] [--json] [--dry-run]`
 *
 * Runs the contract on the data and records in the ledger only what is owed beyond what it has
 * already paid: payments for new lines, adjustments (possibly negative) for changed ones. The
 * same contract, files and as-of date settle once; a run that changes nothing records nothing.
 *
 * Exit codes: 0 settled (or nothing new); 1 the contract has errors; 2 bad usage; 3 the data
 * stopped the run; 4 a file or the ledger could not be read or written.
 */
import { runContract } from "../engine/index.ts";
import { problemsTable } from "./report.ts";
import { CommandError, EXIT, formatCents, isIsoDate, loadContract, parseDataArg, readTextAndHash, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { DEFAULT_LEDGER, fromCents, openLedger, settle, type SettleOutcome } from "../node/ledger/index.ts";
import { createProgress } from "../node/progress.ts";

export interface SettleCommandOptions {
  /** CONTRACT */
  contract: string;
  /** --data FILE or --data dataset=FILE, repeatable */
  data: string[];
  /** --ledger FILE (default obc-ledger.sqlite) */
  ledger?: string;
  /** --as-of DATE (required): the run's clock */
  asOf: string;
  /** --now ISO: when the settlement is recorded (default: the system clock) */
  now?: string;
  /** --strict: stop on any data error */
  strict?: boolean;
  /** --json: print the outcome as JSON */
  json?: boolean;
  /** --dry-run: show what would be recorded, write nothing */
  dryRun?: boolean;
}

function outcomeJson(o: SettleOutcome, currency: string) {
  return {
    status: o.status,
    ...(o.settlementId !== undefined ? { settlement: o.settlementId } : {}),
    currency,
    payments: fromCents(o.payments),
    adjustments: fromCents(o.adjustments),
    net: fromCents(o.net),
    lines: o.lines.map((l) => ({ student: l.studentKey, clause: l.clause, ...(l.period ? { period: l.period } : {}), payer: l.payer, kind: l.kind, amount: fromCents(l.amount), reason: l.reason })),
  };
}

/** New lines grouped by clause, kind and reason: one table row each (readable for thousands of lines). */
function summaryTable(o: SettleOutcome, currency: string): string {
  const groups = new Map<string, { clause: string; kind: string; reason: string; n: number; cents: bigint }>();
  for (const l of o.lines) {
    const k = JSON.stringify([l.clause, l.kind, l.reason]);
    const g = groups.get(k) ?? { clause: l.clause, kind: l.kind, reason: l.reason, n: 0, cents: 0n };
    g.n++;
    g.cents += l.amount;
    groups.set(k, g);
  }
  const rows = [...groups.values()].sort((a, b) => a.clause.localeCompare(b.clause) || a.kind.localeCompare(b.kind) || a.reason.localeCompare(b.reason));
  const cells = [["clause", "kind", "lines", "amount", "reason"], ...rows.map((r) => [r.clause, r.kind, String(r.n), formatCents(r.cents, currency), r.reason])];
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => "  " + c.map((x, i) => (i === 2 || i === 3 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Runs `obc settle`. Never throws; returns the exit code. */
export async function settleCommand(opts: SettleCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("settle", io, async () => {
    if (!isIsoDate(opts.asOf ?? "")) throw new CommandError(EXIT.usage, "--as-of is required: write the date as YYYY-MM-DD");
    const now = opts.now ?? new Date().toISOString();
    if (Number.isNaN(Date.parse(now)) || !/^\d{4}-\d{2}-\d{2}/.test(now)) throw new CommandError(EXIT.usage, "--now: write an ISO date and time, e.g. 2027-07-01T09:00:00Z");
    if (opts.data.length === 0) throw new CommandError(EXIT.usage, "give the data: --data FILE (repeat for each data set)");

    const { text, ir } = await loadContract(io, opts.contract);
    const files = [];
    const inputs = [];
    for (const arg of opts.data) {
      const { dataSet, path } = parseDataArg(arg);
      const f = await readTextAndHash(io, path);
      files.push({ label: path, text: f.text, ...(dataSet !== undefined ? { dataSet } : {}) });
      inputs.push({ label: path, sha256: f.sha256 });
    }
    // the engine reports no progress of its own: a status line while it runs (on a terminal only)
    const progress = createProgress(io);
    const rows = files.reduce((a, f) => a + (f.text.match(/\n/g)?.length ?? 0), 0);
    progress.update(`running ${opts.contract} on ${files.length} file${files.length === 1 ? "" : "s"}`, rows, undefined, "items");
    const run = await runContract(ir, text, files, { asOf: opts.asOf, ...(opts.strict ? { strict: true } : {}) }).finally(() => progress.done());
    if (!run.ok || !run.result) {
      const errors = run.problems.filter((p) => p.severity === "error").length;
      io.stderr(problemsTable(run.problems, ""));
      throw new CommandError(EXIT.data, `the run stopped because of ${errors} data error${errors === 1 ? "" : "s"}; nothing was settled`);
    }
    const dataErrors = run.problems.filter((p) => p.severity === "error").length;

    const ledgerPath = opts.ledger ?? DEFAULT_LEDGER;
    let db;
    try {
      db = openLedger(resolvePath(io, ledgerPath), { now });
    } catch (e) {
      throw new CommandError(EXIT.file, `cannot open the ledger ${ledgerPath}: ${(e as { code?: string }).code ?? (e instanceof Error ? e.message : "error")}`);
    }
    let outcome: SettleOutcome;
    try {
      outcome = settle(db, { contractSource: text, result: run.result, inputs, asOf: opts.asOf, createdAt: now, ir }, { ...(opts.dryRun ? { dryRun: true } : {}) });
    } finally {
      db.close();
    }
    const currency = run.result.contract.currency;
    if (opts.json) {
      io.stdout(JSON.stringify(outcomeJson(outcome, currency), null, 2) + "\n");
    } else if (outcome.status === "duplicate") {
      io.stdout(`nothing new: this contract, these files and as-of ${opts.asOf} were settled as settlement ${outcome.settlementId}\n`);
    } else if (outcome.status === "unchanged") {
      io.stdout(`nothing new: the run owes exactly what the ledger has already paid\n`);
    } else {
      const nPay = outcome.lines.filter((l) => l.kind === "payment").length;
      const nAdj = outcome.lines.length - nPay;
      io.stdout(
        `${opts.dryRun ? "would record" : `settlement ${outcome.settlementId} recorded`}: ${outcome.lines.length} lines ` +
          `(${nPay} payments ${formatCents(outcome.payments, currency)}, ${nAdj} adjustments ${formatCents(outcome.adjustments, currency)}), ` +
          `net ${formatCents(outcome.net, currency)}\n`,
      );
      io.stdout(summaryTable(outcome, currency));
    }
    if (dataErrors > 0) io.stderr(`obc settle: note: the data has ${dataErrors} error${dataErrors === 1 ? "" : "s"}; see obc run --json for dataQuality\n`);
    return EXIT.ok;
  });
}
