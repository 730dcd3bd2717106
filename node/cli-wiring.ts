/**
 * The commander definitions of the Node-only commands — `adapt`, `settle`, `ledger`, `serve` —
 * ready to add to the `obc` program in cli/main.ts with one call:
 *
 *   addNodeCommands(program, { io, configure, done: (code) => (exitCode = code) });
 *
 * Each action parses its options and calls the command implementation (cli/adapt.ts, …), which
 * writes through `io` and returns the exit code.
 */
import { InvalidArgumentError, type Command } from "commander";
// the commands are loaded only when they run, so other commands start fast
const adaptCommand: typeof import("../cli/adapt.ts").adaptCommand = async (...a) => (await import("../cli/adapt.ts")).adaptCommand(...a);
const ledgerCommand: typeof import("../cli/ledger.ts").ledgerCommand = async (...a) => (await import("../cli/ledger.ts")).ledgerCommand(...a);
const serveCommand: typeof import("../cli/serve.ts").serveCommand = async (...a) => (await import("../cli/serve.ts")).serveCommand(...a);
const settleCommand: typeof import("../cli/settle.ts").settleCommand = async (...a) => (await import("../cli/settle.ts")).settleCommand(...a);
import type { CommandIO } from "./cli-support.ts";

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const int = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
  return Number(value);
};

export interface WiringOptions {
  io: CommandIO;
  /** applied to each new command (exitOverride, output configuration…), as cli/main.ts does */
  configure?: (cmd: Command, name: string) => Command;
  /** receives each command's exit code */
  done: (code: number) => void;
}

export function addNodeCommands(program: Command, w: WiringOptions): void {
  const configure = w.configure ?? ((c: Command) => c);

  configure(program.command("adapt"), "obc adapt")
    .description("turn district or vendor files into the per-student CSV a contract's data set reads")
    .argument("<format>", "datas, nwea, iready, star, edfi, oneroster or csv")
    .argument("<files...>", "input files; write FORMAT:path to read one file in another format")
    .requiredOption("--contract <file>", "the contract (.obc)")
    .requiredOption("--data-set <name>", "the contract's per-student data set to write")
    .option("-o, --out <file>", "write the CSV to this file instead of printing it")
    .option("--pseudonymize", "replace student ids by HMAC-SHA256(secret, idSystem:id)")
    .option("--secret-file <file>", "the pseudonymisation secret (else the environment variable, see --secret-env)")
    .option("--secret-env <name>", "environment variable holding the secret", "OBC_PSEUDONYM_SECRET")
    .option("--id-system <name>", "id system named in pseudonyms (default sis, or state with --id-field state)")
    .option("--id-field <which>", "which id identifies students in vendor files: local or state")
    .option("--sessions-through <date>", "leave out sessions after this day (a data drop's cut-off)")
    .option("--window <name=date>", "session counts in a date window, NAME=YYYY-MM-DD[..YYYY-MM-DD]; repeatable", collect)
    .option("--map <field=source>", "fill a declared field from a named per-student value; repeatable", collect)
    .option("--mapping <file>", "JSON column mapping for csv files")
    .option("--subject <subject>", "subject of i-Ready or Star files that do not say (math, ela)")
    .option("--strict", "write nothing and exit 3 on any rejected row or unreadable cell")
    .option("--quality <file>", "write the data-quality report as JSON")
    .action(async (format: string, files: string[], o: Record<string, unknown>) => {
      w.done(
        await adaptCommand(
          {
            format,
            files,
            contract: o["contract"] as string,
            dataSet: o["dataSet"] as string,
            ...(o["out"] !== undefined ? { out: o["out"] as string } : {}),
            ...(o["pseudonymize"] ? { pseudonymize: true } : {}),
            ...(o["secretFile"] !== undefined ? { secretFile: o["secretFile"] as string } : {}),
            ...(o["secretEnv"] !== undefined ? { secretEnv: o["secretEnv"] as string } : {}),
            ...(o["idSystem"] !== undefined ? { idSystem: o["idSystem"] as string } : {}),
            ...(o["idField"] !== undefined ? { idField: o["idField"] as "local" | "state" } : {}),
            ...(o["sessionsThrough"] !== undefined ? { sessionsThrough: o["sessionsThrough"] as string } : {}),
            ...(o["window"] !== undefined ? { window: o["window"] as string[] } : {}),
            ...(o["map"] !== undefined ? { map: o["map"] as string[] } : {}),
            ...(o["mapping"] !== undefined ? { mapping: o["mapping"] as string } : {}),
            ...(o["subject"] !== undefined ? { subject: o["subject"] as string } : {}),
            ...(o["strict"] ? { strict: true } : {}),
            ...(o["quality"] !== undefined ? { quality: o["quality"] as string } : {}),
          },
          w.io,
        ),
      );
    });

  configure(program.command("settle"), "obc settle")
    .description("run a contract and record in the ledger only what is owed beyond what was already paid")
    .argument("<contract>", "the contract (.obc)")
    .requiredOption("-d, --data <file>", "a data file; repeat for each data set; dataset=path names its data set", collect)
    .requiredOption("--as-of <date>", "the run's clock, YYYY-MM-DD")
    .option("--ledger <file>", "the ledger (SQLite)", "obc-ledger.sqlite")
    .option("--now <iso>", "when the settlement is recorded (default: now)")
    .option("--strict", "stop on any data error")
    .option("--dry-run", "show what would be recorded; write nothing")
    .option("--json", "print the outcome as JSON")
    .action(async (contract: string, o: Record<string, unknown>) => {
      w.done(
        await settleCommand(
          {
            contract,
            data: o["data"] as string[],
            asOf: o["asOf"] as string,
            ledger: o["ledger"] as string,
            ...(o["now"] !== undefined ? { now: o["now"] as string } : {}),
            ...(o["strict"] ? { strict: true } : {}),
            ...(o["dryRun"] ? { dryRun: true } : {}),
            ...(o["json"] ? { json: true } : {}),
          },
          w.io,
        ),
      );
    });

  configure(program.command("ledger"), "obc ledger")
    .description("show the settlement history, balances, or every ledger line as CSV")
    .option("--ledger <file>", "the ledger (SQLite)", "obc-ledger.sqlite")
    .option("--balances <by>", "what has been paid per student, clause or payer")
    .option("--csv", "CSV: every line (or the balances with --balances)")
    .option("--contract <title>", "only this contract")
    .option("--json", "JSON instead of a table")
    .action(async (o: Record<string, unknown>) => {
      w.done(
        await ledgerCommand(
          {
            ledger: o["ledger"] as string,
            ...(o["balances"] !== undefined ? { balances: o["balances"] as string } : {}),
            ...(o["csv"] ? { csv: true } : {}),
            ...(o["contract"] !== undefined ? { contract: o["contract"] as string } : {}),
            ...(o["json"] ? { json: true } : {}),
          },
          w.io,
        ),
      );
    });

  configure(program.command("serve"), "obc serve")
    .description("serve check, compile, run and analysis over HTTP on 127.0.0.1")
    .option("-p, --port <n>", "port (0 picks a free one)", int("--port"), 8787)
    .option("--max-body <bytes>", "largest request body", int("--max-body"))
    .option("--timeout <ms>", "time to answer one request", int("--timeout"))
    .option("--workers <n>", "worker threads", int("--workers"))
    .option("--inline", "run requests on the main thread")
    .action(async (o: Record<string, unknown>) => {
      w.done(
        await serveCommand(
          {
            port: o["port"] as number,
            ...(o["maxBody"] !== undefined ? { maxBody: o["maxBody"] as number } : {}),
            ...(o["timeout"] !== undefined ? { timeout: o["timeout"] as number } : {}),
            ...(o["workers"] !== undefined ? { workers: o["workers"] as number } : {}),
            ...(o["inline"] ? { inline: true } : {}),
          },
          w.io,
        ),
      );
    });
}
