/**
 * `obc settle CONTRACT --as-of DATE (--drop ID | --data … --supplied-by WHO --attested-by NAME [--role district|evaluator])
 *   [--ledger FILE|URL] [--expect-head SEQ:HASH] [--now ISO] [--max-shrink PCT] [--accept REASON] [--json] [--dry-run]`
 *
 * Runs the contract strictly on an attested data drop and records in the ledger only what is
 * owed beyond what it has already paid the contract: payments for new lines, adjustments
 * (possibly negative) for changed ones. `--drop ID` settles a drop recorded and attested with
 * `obc drop`; `--data` with `--supplied-by` and `--attested-by` records the drop, its
 * attestation and the settlement in one step. The same contract, files and as-of date settle
 * once; a run that changes nothing records nothing. It prints the ledger's head after it
 * (`SEQ:HASH`): kept outside the ledger, it lets `--expect-head` find a ledger rewritten or cut
 * short later (`obc settle --expect-head` refuses to settle on such a ledger).
 *
 * Refused (exit 3, one line, nothing written): a run with any data error, rejected row or
 * internal error; a text that does not follow from the contract settled before; a roster that
 * shrank, or paid lines reversed, by more than --max-shrink percent (default 10) unless
 * --accept gives the reason, which the ledger keeps.
 *
 * Exit codes: 0 settled (or nothing new); 1 the contract has errors; 2 bad usage; 3 refused
 * (the data or the ledger's rules); 4 a file could not be read, or the ledger is missing,
 * foreign, damaged or fails verification.
 */
import { problemsTable } from "./report.ts";
import { expectHeadArg, nowArg, withLedger } from "./ledger.ts";
import { CommandError, EXIT, formatCents, fsReason, isIsoDate, loadContract, parseDataArg, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { formatHead, LedgerRefusal, type SettleOutcome } from "../node/ledger/index.ts";
import { checkFilesAreDrop, readDataFiles, settleNewDrop, strictRun, type ReadFile } from "../node/ledger/run.ts";
import { settleOutcomeJson } from "../node/ledger/json.ts";
import type { RunOutput } from "../engine/index.ts";
import { createProgress } from "../node/progress.ts";

export interface SettleCommandOptions {
  /** CONTRACT */
  contract: string;
  /** --data FILE or --data dataset=FILE, repeatable */
  data?: string[];
  /** --drop ID: an attested drop recorded with obc drop */
  drop?: number;
  /** --supplied-by WHO (with --data): who supplied the files */
  suppliedBy?: string;
  /** --supplied-at DATE (with --data; default: --now) */
  suppliedAt?: string;
  /** --attested-by NAME (with --data): who attests them */
  attestedBy?: string;
  /** --role district|evaluator (with --attested-by; default district) */
  role?: string;
  /** --ledger FILE or postgres://… (default obc-ledger.sqlite) */
  ledger?: string;
  /** --as-of DATE (required): the run's clock */
  asOf: string;
  /** --now ISO: when the settlement is recorded (default: the system clock) */
  now?: string;
  /** --max-shrink PCT: how far the roster may shrink, or paid lines be reversed, without --accept (default 10) */
  maxShrink?: number;
  /** --accept REASON: record anyway when the roster shrank or lines are reversed beyond --max-shrink */
  accept?: string;
  /** --json: print the outcome as JSON */
  json?: boolean;
  /** --dry-run: show what would be recorded, write nothing */
  dryRun?: boolean;
  /** --expect-head SEQ:HASH: a head kept outside the ledger, which it must contain */
  expectHead?: string;
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
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => "  " + c.map((x, i) => (i === 2 || i === 3 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Reads the files named on the command line (or recorded with a drop), as the user wrote their paths. */
export async function readFilesArg(io: CommandIO, files: readonly { path: string; dataSet?: string }[], recordedIn?: number): Promise<ReadFile[]> {
  const out: ReadFile[] = [];
  for (const f of files) {
    try {
      out.push(...(await readDataFiles([{ path: resolvePath(io, f.path), label: f.path, ...(f.dataSet !== undefined ? { dataSet: f.dataSet } : {}) }])));
    } catch (e) {
      throw new CommandError(EXIT.file, `cannot read ${f.path}${recordedIn !== undefined ? ` (a file of drop ${recordedIn}; give the files with --data)` : ""}: ${fsReason(e)}`);
    }
  }
  return out;
}

/** Runs `obc settle`. Never throws; returns the exit code. */
export async function settleCommand(opts: SettleCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("settle", io, async () => {
    if (!isIsoDate(opts.asOf ?? "")) throw new CommandError(EXIT.usage, "--as-of is required: write the date as YYYY-MM-DD");
    const now = nowArg(opts.now);
    const data = opts.data ?? [];
    const oneStep = opts.drop === undefined;
    if (oneStep) {
      if (data.length === 0) throw new CommandError(EXIT.usage, "give the data: --drop ID (an attested drop, see obc drop), or --data FILE with --supplied-by and --attested-by");
      if (!opts.suppliedBy?.trim() || !opts.attestedBy?.trim()) {
        throw new CommandError(EXIT.usage, "only attested data is settled: give --supplied-by WHO and --attested-by NAME (the district or evaluator vouching for these files), or settle a drop attested with obc drop attest");
      }
    } else if (opts.suppliedBy !== undefined || opts.attestedBy !== undefined) {
      throw new CommandError(EXIT.usage, "--supplied-by and --attested-by record a new drop: with --drop ID the drop is already recorded");
    }
    if (opts.maxShrink !== undefined && !(Number.isInteger(opts.maxShrink) && opts.maxShrink >= 0 && opts.maxShrink <= 100)) {
      throw new CommandError(EXIT.usage, "--max-shrink is a whole percent from 0 to 100");
    }
    if (opts.accept !== undefined && !opts.accept.trim()) throw new CommandError(EXIT.usage, "--accept needs the reason, in words");
    const role = opts.role ?? "district";
    const anchors = expectHeadArg(opts.expectHead);
    const { text, ir } = await loadContract(io, opts.contract);

    return withLedger(io, "settle", opts.ledger, { create: oneStep, now, anchors }, async (ledger) => {
      let files: ReadFile[];
      if (oneStep) {
        files = await readFilesArg(io, data.map(parseDataArg));
      } else {
        const drop = await ledger.drop(opts.drop!);
        if (!drop) throw new LedgerRefusal("drop", `there is no drop ${opts.drop}`);
        files = data.length > 0 ? await readFilesArg(io, data.map(parseDataArg)) : await readFilesArg(io, drop.files.map((f) => ({ path: f.label, ...(f.dataSet !== undefined ? { dataSet: f.dataSet } : {}) })), drop.id);
        checkFilesAreDrop(files, drop);
      }
      // the engine reports no progress of its own: a status line while it runs (on a terminal only)
      const progress = createProgress(io);
      const rows = files.reduce((a, f) => a + (f.data.text.match(/\n/g)?.length ?? 0), 0);
      progress.update(`running ${opts.contract} on ${files.length} file${files.length === 1 ? "" : "s"}`, rows, undefined, "items");
      const guard = { ...(opts.maxShrink !== undefined ? { maxShrink: opts.maxShrink } : {}), ...(opts.accept !== undefined ? { accept: opts.accept } : {}) };
      const dry = opts.dryRun ? { dryRun: true } : {};
      let run: RunOutput;
      let outcome: SettleOutcome & { drop?: number };
      try {
        if (oneStep) {
          const input = { source: text, ir, files, asOf: opts.asOf, now, suppliedBy: opts.suppliedBy!, attestedBy: opts.attestedBy!, role, ...guard };
          ({ run, ...outcome } = await settleNewDrop(ledger, { ...input, ...(opts.suppliedAt !== undefined ? { suppliedAt: opts.suppliedAt } : {}) }, dry).finally(() => progress.done()));
        } else {
          run = await strictRun(ir, text, files, opts.asOf).finally(() => progress.done());
          outcome = await ledger.settle({ contractSource: text, ir, result: run.result!, asOf: opts.asOf, createdAt: now, ...guard, drop: opts.drop! }, dry);
        }
      } catch (e) {
        const failed = (e as { run?: RunOutput }).run;
        if (failed && failed.problems.length > 0) io.stderr(problemsTable(failed.problems, ""));
        throw e;
      }
      const currency = run.result!.contract.currency;
      // the head to keep outside the ledger (not for a dry run, which wrote nothing)
      const head = opts.dryRun ? undefined : await ledger.head();
      const headText = head && formatHead(head.seq, head.hash);
      if (opts.json) {
        io.stdout(JSON.stringify(settleOutcomeJson(outcome, currency, headText), null, 2) + "\n");
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
        if (outcome.accepted) io.stdout(`accepted although ${outcome.accepted.what}; the reason is kept: ${outcome.accepted.reason}\n`);
      }
      if (headText && !opts.json) io.stdout(`ledger head ${headText} (keep it outside the ledger: obc ledger --verify --expect-head ${headText} finds a ledger rewritten or cut short since)\n`);
      if (oneStep && !opts.dryRun && outcome.drop !== undefined && !opts.json) io.stderr(`obc settle: the files were recorded as drop ${outcome.drop}, attested by ${opts.attestedBy} (${role})\n`);
      return EXIT.ok;
    });
  });
}
