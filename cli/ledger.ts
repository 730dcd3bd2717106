/**
 * `obc ledger [--ledger FILE|URL] [--verify] [--expect-head SEQ:HASH] [--contracts] [--balances student|clause|payer] [--csv] [--contract ID] [--json] [--now ISO]`
 *
 * Without options: the history of settlements, and the ledger's head. `--verify`: checks the
 * whole ledger (every record's hash, stored totals, append-only triggers) and prints its head
 * (`SEQ:HASH`, the last record's number and hash). `--expect-head`: the ledger must contain a
 * head kept outside it (printed by an earlier settle or verify): a ledger rewritten or cut
 * short since is refused. `--contracts`: the contracts it holds and their identities.
 * `--balances BY`: what has been paid in all per student key, clause or payer. `--csv`: every
 * ledger line as CSV (or the balances, with `--balances`).
 *
 * Every command that opens a ledger (this one, settle, drop) verifies it first (from its last
 * verified checkpoint, see node/ledger/verify.ts) and refuses a tampered, damaged or foreign
 * file with exit 4.
 *
 * Exit codes: 0; 2 bad usage; 3 refused by the ledger; 4 the ledger is missing, not a ledger,
 * damaged, or fails verification.
 */
import { CommandError, EXIT, formatCents, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { balancesJson, settlementsJson } from "../node/ledger/json.ts";
import { DEFAULT_LEDGER, formatHead, fromCents, LedgerFileError, LedgerRefusal, MigrationError, openLedger, parseAnchor, type Anchor, type BalanceBy, type Ledger, type OpenOptions } from "../node/ledger/index.ts";

export interface LedgerCommandOptions {
  /** --ledger FILE or postgres://… (default obc-ledger.sqlite) */
  ledger?: string;
  /** --verify */
  verify?: boolean;
  /** --contracts */
  contracts?: boolean;
  /** --balances student|clause|payer */
  balances?: string;
  /** --csv */
  csv?: boolean;
  /** --contract ID or title: only this contract's settlements */
  contract?: string;
  /** --json: history or balances as JSON */
  json?: boolean;
  /** --expect-head SEQ:HASH: a head kept outside the ledger, which it must contain */
  expectHead?: string;
  /** --now ISO: when a verification is recorded (default: the system clock) */
  now?: string;
}

/** Checks `--now`, or takes the system clock. */
export function nowArg(now: string | undefined): string {
  const t = now ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(t)) || !/^\d{4}-\d{2}-\d{2}/.test(t)) throw new CommandError(EXIT.usage, "--now: write an ISO date and time, e.g. 2027-07-01T09:00:00Z");
  return t;
}

/** Reads `--expect-head` (none when not given). */
export function expectHeadArg(text: string | undefined): Anchor[] {
  if (text === undefined) return [];
  const a = parseAnchor(text);
  if (!a) throw new CommandError(EXIT.usage, "--expect-head: give the head as obc printed it, SEQ:HASH (or the hash alone, at least its first 16 hex digits)");
  return [a];
}

const isUrl = (t: string) => /^postgres(ql)?:\/\//i.test(t);

/**
 * Opens the ledger for a command, runs `fn`, closes it. Turns the ledger's refusals into exit 3
 * and a missing, foreign, damaged or tampered ledger into exit 4, each as one line.
 */
export async function withLedger<T>(io: CommandIO, command: string, target: string | undefined, opts: OpenOptions, fn: (ledger: Ledger) => Promise<T>): Promise<T> {
  const t = target ?? DEFAULT_LEDGER;
  let ledger: Ledger;
  try {
    ledger = await openLedger(isUrl(t) || t === ":memory:" ? t : resolvePath(io, t), opts);
  } catch (e) {
    if (e instanceof LedgerFileError || e instanceof MigrationError) throw new CommandError(EXIT.file, e.message.replace(resolvePath(io, t), t));
    throw e;
  }
  for (const note of ledger.opened.verification.notes) io.stderr(`obc ${command}: note: ${note}\n`);
  if (ledger.opened.migrated.includes(2) && ledger.opened.chainedEarlier > 0) {
    const n = ledger.opened.chainedEarlier;
    io.stderr(
      `obc ${command}: note: the ledger was upgraded to identities and a hash chain; its ${n} earlier settlement${n === 1 ? " was" : "s were"} chained now, ` +
        `so the chain vouches for them only from today\n`,
    );
  }
  try {
    return await fn(ledger);
  } catch (e) {
    if (e instanceof LedgerRefusal) throw new CommandError(e.kind === "internal" ? EXIT.internal : EXIT.data, e.message);
    throw e;
  } finally {
    await ledger.close();
  }
}

function table(rows: string[][], right: number[] = []): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Runs `obc ledger`. Never throws; returns the exit code. */
export async function ledgerCommand(opts: LedgerCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("ledger", io, async () => {
    const by = opts.balances;
    if (by !== undefined && by !== "student" && by !== "clause" && by !== "payer") {
      throw new CommandError(EXIT.usage, `--balances is student, clause or payer, not ${by}`);
    }
    const anchors = expectHeadArg(opts.expectHead);
    const now = nowArg(opts.now);
    const open = { onTamper: opts.verify ? "report" : "refuse", verify: opts.verify ? "full" : "since", anchors, now } as const;
    return withLedger(io, "ledger", opts.ledger, open, async (db) => {
      if (opts.verify) {
        const v = db.opened.verification;
        if (opts.json) io.stdout(JSON.stringify({ ...v, head: formatHead(v.headSeq, v.head) }, null, 2) + "\n");
        if (!v.ok) {
          if (!opts.json) for (const p of v.problems) io.stderr(`obc ledger: ${p}\n`);
          throw new CommandError(EXIT.file, `the ledger ${opts.ledger ?? DEFAULT_LEDGER} failed verification (${v.problems.length} problem${v.problems.length === 1 ? "" : "s"}): do not settle from it`);
        }
        if (!opts.json) {
          io.stdout(`ledger verified: ${v.records} records, ${v.settlements} settlements, every total and hash checked; head ${formatHead(v.headSeq, v.head)}\n`);
          for (const a of v.anchors) {
            const since = v.headSeq - a.foundAt!;
            io.stdout(`the head you kept is record ${a.foundAt} of ${v.headSeq}: the ledger holds it${since > 0 ? `, and ${since} record${since === 1 ? "" : "s"} written since` : " as its head"}\n`);
          }
        }
        return EXIT.ok;
      }
      if (opts.contracts) {
        const cs = await db.contracts();
        if (opts.json) io.stdout(JSON.stringify(cs, null, 2) + "\n");
        else if (cs.length === 0) io.stdout("the ledger has no contracts yet\n");
        else io.stdout(table([["identity", "from", "title", "recorded"], ...cs.map((c) => [c.identity, c.explicit ? "id in text" : "derived", c.title, c.recordedAt])]));
        return EXIT.ok;
      }
      let filter = {};
      if (opts.contract !== undefined) {
        const id = await db.resolveContract(opts.contract);
        if (id === undefined) throw new CommandError(EXIT.usage, `the ledger has no contract ${JSON.stringify(opts.contract)} (obc ledger --contracts lists them)`);
        filter = { contract: id };
      }
      const settlements = await db.history(filter);
      const currency = settlements[0]?.currency ?? "USD";
      if (by !== undefined) {
        const rows = await db.balances(by as BalanceBy, filter);
        if (opts.json) {
          io.stdout(JSON.stringify(balancesJson(by as BalanceBy, currency, rows), null, 2) + "\n");
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
        io.stdout(await db.exportLinesCsv(filter));
        return EXIT.ok;
      }
      if (opts.json) {
        io.stdout(JSON.stringify(settlementsJson(settlements), null, 2) + "\n");
        return EXIT.ok;
      }
      const head = await db.head();
      if (settlements.length === 0) {
        io.stdout(`the ledger has no settlements yet; head ${formatHead(head.seq, head.hash)}\n`);
        return EXIT.ok;
      }
      io.stdout(
        table(
          [
            ["#", "recorded", "as of", "contract", "version", "drop", "lines", "payments", "adjustments", "net"],
            ...settlements.map((s) => [
              String(s.id), s.createdAt, s.asOf, s.contractTitle, s.contractVersion ?? "", s.drop !== undefined ? String(s.drop) : "",
              String(s.lineCount), formatCents(s.payments, s.currency), formatCents(s.adjustments, s.currency), formatCents(s.net, s.currency),
            ]),
          ],
          [0, 5, 6, 7, 8, 9],
        ),
      );
      for (const s of settlements.filter((x) => x.acceptedReason !== undefined)) io.stdout(`settlement ${s.id} was accepted with the reason: ${s.acceptedReason}\n`);
      io.stdout(`head ${formatHead(head.seq, head.hash)}\n`);
      return EXIT.ok;
    });
  });
}
