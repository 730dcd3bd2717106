/**
 * `obc ledger --ledger FILE [--balances student|clause|payer] [--csv] [--contract TITLE]`
 *
 * Without options: the history of settlements. `--balances BY`: what has been paid in all per
 * student key, clause or payer. `--csv`: every ledger line as CSV (or the balances, with
 * `--balances`), in a fixed order.
 *
 * Exit codes: 0; 2 bad usage; 4 the ledger file does not exist or cannot be read.
 */
import { existsSync } from "node:fs";
import { CommandError, EXIT, formatCents, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { balances, DEFAULT_LEDGER, exportLinesCsv, fromCents, history, openLedger, type BalanceBy } from "../node/ledger/index.ts";

export interface LedgerCommandOptions {
  /** --ledger FILE (default obc-ledger.sqlite) */
  ledger?: string;
  /** --balances student|clause|payer */
  balances?: string;
  /** --csv */
  csv?: boolean;
  /** --contract TITLE: only this contract's settlements */
  contract?: string;
  /** --json: history or balances as JSON */
  json?: boolean;
}

function table(rows: string[][], right: number[] = []): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Runs `obc ledger`. Never throws; returns the exit code. */
export async function ledgerCommand(opts: LedgerCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("ledger", io, async () => {
    const by = opts.balances;
    if (by !== undefined && by !== "student" && by !== "clause" && by !== "payer") {
      throw new CommandError(EXIT.usage, `--balances is student, clause or payer, not ${by}`);
    }
    const path = opts.ledger ?? DEFAULT_LEDGER;
    if (!existsSync(resolvePath(io, path))) throw new CommandError(EXIT.file, `cannot read ${path}: no such file`);
    let db;
    try {
      db = openLedger(resolvePath(io, path), { readonly: true });
    } catch (e) {
      throw new CommandError(EXIT.file, `cannot read the ledger ${path}: ${(e as { code?: string }).code ?? "not a ledger"}`);
    }
    try {
      const filter = opts.contract !== undefined ? { contract: opts.contract } : {};
      const settlements = history(db, filter);
      const currency = settlements[0]?.currency ?? "USD";
      if (by !== undefined) {
        const rows = balances(db, by as BalanceBy, filter);
        if (opts.json) {
          io.stdout(JSON.stringify({ by, currency, balances: rows.map((r) => ({ key: r.key, amount: fromCents(r.cents), lines: r.lines })) }, null, 2) + "\n");
        } else if (opts.csv) {
          io.stdout([`${by},amount,lines`, ...rows.map((r) => `${/[",\r\n]/.test(r.key) ? `"${r.key.replace(/"/g, '""')}"` : r.key},${fromCents(r.cents)},${r.lines}`)].join("\n") + "\n");
        } else {
          const label = (k: string) => (by === "student" && k === "" ? "(cohort payments)" : k);
          const total = rows.reduce((a, r) => a + r.cents, 0n);
          io.stdout(table([[by, "paid", "lines"], ...rows.map((r) => [label(r.key), formatCents(r.cents, currency), String(r.lines)]), ["total", formatCents(total, currency), String(rows.reduce((a, r) => a + r.lines, 0))]], [1, 2]));
        }
        return EXIT.ok;
      }
      if (opts.csv) {
        io.stdout(exportLinesCsv(db, filter));
        return EXIT.ok;
      }
      if (opts.json) {
        io.stdout(
          JSON.stringify(
            settlements.map((s) => ({ ...s, payments: fromCents(s.payments), adjustments: fromCents(s.adjustments), net: fromCents(s.net) })),
            null,
            2,
          ) + "\n",
        );
        return EXIT.ok;
      }
      if (settlements.length === 0) {
        io.stdout("the ledger has no settlements yet\n");
        return EXIT.ok;
      }
      io.stdout(
        table(
          [
            ["#", "recorded", "as of", "contract", "version", "lines", "payments", "adjustments", "net"],
            ...settlements.map((s) => [
              String(s.id),
              s.createdAt,
              s.asOf,
              s.contractTitle,
              s.contractVersion ?? "",
              String(s.lineCount),
              formatCents(s.payments, s.currency),
              formatCents(s.adjustments, s.currency),
              formatCents(s.net, s.currency),
            ]),
          ],
          [0, 5, 6, 7, 8],
        ),
      );
      return EXIT.ok;
    } finally {
      db.close();
    }
  });
}
