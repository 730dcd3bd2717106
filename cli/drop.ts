/**
 * `obc drop add CONTRACT --data … --supplied-by WHO [--supplied-at DATE] [--supersedes ID --reason TEXT]`
 * `obc drop attest ID --by NAME [--role district|evaluator] [--note TEXT]`
 * `obc drop list [--contract ID]`            (each with [--ledger FILE|URL] [--now ISO] [--json])
 *
 * A data drop is a set of files for one contract: the ledger records each file's sha256 and
 * size, who supplied them and when. The district (or an evaluator) attests a drop before it may
 * be settled (`obc settle CONTRACT --drop ID`); a corrected drop supersedes an earlier one, with
 * its reason kept, and the earlier one can no longer be attested or settled.
 *
 * Exit codes: 0; 1 the contract has errors; 2 bad usage; 3 refused by the ledger; 4 a file or
 * the ledger could not be read (or the ledger fails verification).
 */
import { nowArg, withLedger } from "./ledger.ts";
import { readFilesArg } from "./settle.ts";
import { CommandError, EXIT, loadContract, parseDataArg, runCommand, type CommandIO } from "../node/cli-support.ts";
import { ATTESTING_ROLES, type DropRecord } from "../node/ledger/index.ts";

export interface DropCommandOptions {
  action: "add" | "attest" | "list";
  /** add: the contract */
  contract?: string;
  /** add: --data FILE or dataset=FILE */
  data?: string[];
  suppliedBy?: string;
  suppliedAt?: string;
  supersedes?: number;
  reason?: string;
  /** attest: the drop */
  drop?: number;
  by?: string;
  role?: string;
  note?: string;
  /** list: only this contract (identity or title) */
  filter?: string;
  ledger?: string;
  now?: string;
  json?: boolean;
}

const describeDrop = (d: DropRecord) =>
  `drop ${d.id} for ${d.contract}: ${d.files.length} file${d.files.length === 1 ? "" : "s"} supplied by ${d.suppliedBy} on ${d.suppliedAt}` +
  (d.supersedes !== undefined ? `, replacing drop ${d.supersedes} (${d.reason})` : "");

function status(d: DropRecord): string {
  if (d.supersededBy !== undefined) return `superseded by drop ${d.supersededBy}`;
  if (d.attestations.length === 0) return "not attested";
  const a = d.attestations[d.attestations.length - 1]!;
  return `attested by ${a.by} (${a.role}) at ${a.at}${d.settlements.length > 0 ? `; settled in ${d.settlements.join(", ")}` : ""}`;
}

/** Runs `obc drop`. Never throws; returns the exit code. */
export async function dropCommand(opts: DropCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("drop", io, async () => {
    const now = nowArg(opts.now);
    if (opts.action === "add") {
      if (!opts.contract) throw new CommandError(EXIT.usage, "obc drop add needs the contract");
      if (!opts.data?.length) throw new CommandError(EXIT.usage, "give the drop's files: --data FILE (repeat for each data set)");
      if (!opts.suppliedBy?.trim()) throw new CommandError(EXIT.usage, "say who supplied the files: --supplied-by WHO");
      if ((opts.supersedes === undefined) !== (opts.reason === undefined)) throw new CommandError(EXIT.usage, "--supersedes ID and --reason TEXT go together: a corrected drop says which drop it replaces and why");
      const { ir } = await loadContract(io, opts.contract);
      const files = await readFilesArg(io, opts.data.map(parseDataArg));
      return withLedger(io, "drop", opts.ledger, { create: true, now }, async (ledger) => {
        const d = await ledger.addDrop({
          contract: ir,
          files: files.map((f) => f.drop),
          suppliedBy: opts.suppliedBy!,
          suppliedAt: opts.suppliedAt ?? now,
          recordedAt: now,
          ...(opts.supersedes !== undefined ? { supersedes: opts.supersedes, reason: opts.reason! } : {}),
        });
        if (opts.json) io.stdout(JSON.stringify(d, null, 2) + "\n");
        else io.stdout(`${describeDrop(d)}\nrecorded; before it can be settled, the district or an evaluator attests it: obc drop attest ${d.id} --by NAME --role district\n`);
        return EXIT.ok;
      });
    }
    if (opts.action === "attest") {
      if (opts.drop === undefined) throw new CommandError(EXIT.usage, "obc drop attest needs the drop's number");
      if (!opts.by?.trim()) throw new CommandError(EXIT.usage, "say who attests the drop: --by NAME");
      const role = opts.role ?? "district";
      if (!(ATTESTING_ROLES as readonly string[]).includes(role)) throw new CommandError(EXIT.usage, `--role is ${ATTESTING_ROLES.join(" or ")}, not ${role}`);
      return withLedger(io, "drop", opts.ledger, { now }, async (ledger) => {
        const a = await ledger.attestDrop({ drop: opts.drop!, by: opts.by!, role, at: now, ...(opts.note !== undefined ? { note: opts.note } : {}) });
        if (opts.json) io.stdout(JSON.stringify(a, null, 2) + "\n");
        else io.stdout(`drop ${a.drop} attested by ${a.by} (${a.role}); settle it with obc settle CONTRACT --drop ${a.drop} --as-of DATE\n`);
        return EXIT.ok;
      });
    }
    return withLedger(io, "drop", opts.ledger, { now }, async (ledger) => {
      let contract: string | undefined;
      if (opts.filter !== undefined) {
        contract = await ledger.resolveContract(opts.filter);
        if (contract === undefined) throw new CommandError(EXIT.usage, `the ledger has no contract ${JSON.stringify(opts.filter)} (obc ledger --contracts lists them)`);
      }
      const drops = await ledger.drops(contract !== undefined ? { contract } : {});
      if (opts.json) io.stdout(JSON.stringify(drops, null, 2) + "\n");
      else if (drops.length === 0) io.stdout("the ledger has no drops yet\n");
      else for (const d of drops) io.stdout(`${describeDrop(d)}\n  ${status(d)}\n${d.files.map((f) => `  ${f.label}${f.dataSet ? ` (${f.dataSet})` : ""}  ${f.bytes} bytes  sha256 ${f.sha256}\n`).join("")}`);
      return EXIT.ok;
    });
  });
}
