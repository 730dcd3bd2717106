/**
 * The commander definitions of the Node-only commands — `adapt`, `settle`, `drop`, `ledger`, `serve` —
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
const dropCommand: typeof import("../cli/drop.ts").dropCommand = async (...a) => (await import("../cli/drop.ts")).dropCommand(...a);
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
    .argument("<format>", "datas, nwea, iready, star, edfi, oneroster, clever or csv")
    .argument("[files...]", "input files (- for standard input); write FORMAT:path to read one file in another format")
    .option("--contract <file>", "the contract (.obc); required unless --fields")
    .option("--data-set <name>", "the contract's per-student data set to write; required unless --fields")
    .option("--fields", "list the per-student values the format yields (with files: the values they give) and stop")
    .option("--json", "print the data-quality report and any error as JSON on stderr")
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
            ...(o["contract"] !== undefined ? { contract: o["contract"] as string } : {}),
            ...(o["dataSet"] !== undefined ? { dataSet: o["dataSet"] as string } : {}),
            ...(o["fields"] ? { fields: true } : {}),
            ...(o["json"] ? { json: true } : {}),
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
    .description("run a contract on an attested data drop and record in the ledger only what is owed beyond what was already paid")
    .argument("<contract>", "the contract (.obc)")
    .requiredOption("--as-of <date>", "the run's clock, YYYY-MM-DD")
    .option("--drop <id>", "an attested drop recorded with obc drop", int("--drop"))
    .option("-d, --data <file>", "a data file; repeat for each data set; dataset=path names its data set", collect)
    .option("--supplied-by <who>", "with --data: who supplied the files (records them as a drop)")
    .option("--supplied-at <date>", "with --data: when they were supplied (default: --now)")
    .option("--attested-by <name>", "with --data: who attests them (the district or an evaluator)")
    .option("--role <role>", "the attester's role: district or evaluator", "district")
    .option("--ledger <file|url>", "the ledger: an SQLite file or postgres://…", "obc-ledger.sqlite")
    .option("--now <iso>", "when the settlement is recorded (default: now)")
    .option("--max-shrink <percent>", "how far the roster may shrink, or paid lines be reversed, without --accept (default 10)", int("--max-shrink"))
    .option("--accept <reason>", "record anyway when the roster shrank or paid lines are reversed beyond --max-shrink; the reason is kept")
    .option("--dry-run", "show what would be recorded; write nothing")
    .option("--json", "print the outcome as JSON")
    .option("--expect-head <seq:hash>", "settle only if the ledger contains this head, kept from an earlier settle or verify")
    .action(async (contract: string, o: Record<string, unknown>) => {
      const opt = <T>(k: string) => (o[k] !== undefined ? { [k]: o[k] as T } : {});
      w.done(
        await settleCommand(
          {
            contract,
            asOf: o["asOf"] as string,
            ledger: o["ledger"] as string,
            ...opt<string[]>("data"),
            ...opt<number>("drop"),
            ...opt<string>("suppliedBy"),
            ...opt<string>("suppliedAt"),
            ...opt<string>("attestedBy"),
            ...opt<string>("role"),
            ...opt<string>("now"),
            ...opt<number>("maxShrink"),
            ...opt<string>("accept"),
            ...opt<string>("expectHead"),
            ...(o["dryRun"] ? { dryRun: true } : {}),
            ...(o["json"] ? { json: true } : {}),
          },
          w.io,
        ),
      );
    });

  const drop = configure(program.command("drop"), "obc drop").description("record data drops, attest them, list them");
  const dropCommon = (c: Command) =>
    c
      .option("--ledger <file|url>", "the ledger: an SQLite file or postgres://…", "obc-ledger.sqlite")
      .option("--now <iso>", "when it is recorded (default: now)")
      .option("--json", "JSON instead of text");
  dropCommon(configure(drop.command("add"), "obc drop add"))
    .description("record a drop: its files' sha256, who supplied them and when")
    .argument("<contract>", "the contract (.obc) the files are for")
    .requiredOption("-d, --data <file>", "a data file; repeat for each data set; dataset=path names its data set", collect)
    .requiredOption("--supplied-by <who>", "who supplied the files")
    .option("--supplied-at <date>", "when they were supplied (default: --now)")
    .option("--supersedes <id>", "the earlier drop these files correct", int("--supersedes"))
    .option("--reason <text>", "why they replace it (with --supersedes)")
    .action(async (contract: string, o: Record<string, unknown>) => {
      const opt = <T>(k: string) => (o[k] !== undefined ? { [k]: o[k] as T } : {});
      w.done(
        await dropCommand(
          {
            action: "add", contract, ledger: o["ledger"] as string, ...opt<string[]>("data"), ...opt<string>("suppliedBy"), ...opt<string>("suppliedAt"),
            ...opt<number>("supersedes"), ...opt<string>("reason"), ...opt<string>("now"), ...(o["json"] ? { json: true } : {}),
          },
          w.io,
        ),
      );
    });
  dropCommon(configure(drop.command("attest"), "obc drop attest"))
    .description("attest a drop: the district or an evaluator vouches for its files")
    .argument("<id>", "the drop", int("the drop"))
    .requiredOption("--by <name>", "who attests")
    .option("--role <role>", "district or evaluator", "district")
    .option("--note <text>", "a note kept with the attestation")
    .action(async (id: number, o: Record<string, unknown>) => {
      const opt = <T>(k: string) => (o[k] !== undefined ? { [k]: o[k] as T } : {});
      w.done(
        await dropCommand(
          { action: "attest", drop: id, ledger: o["ledger"] as string, ...opt<string>("by"), ...opt<string>("role"), ...opt<string>("note"), ...opt<string>("now"), ...(o["json"] ? { json: true } : {}) },
          w.io,
        ),
      );
    });
  dropCommon(configure(drop.command("list"), "obc drop list"))
    .description("every drop: files, supplier, attestation, superseded or settled")
    .option("--contract <id>", "only this contract (identity or title)")
    .action(async (o: Record<string, unknown>) => {
      w.done(
        await dropCommand(
          { action: "list", ledger: o["ledger"] as string, ...(o["contract"] !== undefined ? { filter: o["contract"] as string } : {}), ...(o["now"] !== undefined ? { now: o["now"] as string } : {}), ...(o["json"] ? { json: true } : {}) },
          w.io,
        ),
      );
    });

  configure(program.command("ledger"), "obc ledger")
    .description("verify the ledger, show the settlement history, contracts, balances, or every line as CSV")
    .option("--ledger <file|url>", "the ledger: an SQLite file or postgres://…", "obc-ledger.sqlite")
    .option("--verify", "check the hash chain, every stored total and the append-only protection; print the head hash")
    .option("--expect-head <seq:hash>", "refuse a ledger that does not contain this head, kept from an earlier settle or verify")
    .option("--now <iso>", "when a verification is recorded (default: now)")
    .option("--contracts", "the contracts in the ledger and their identities")
    .option("--balances <by>", "what has been paid per student, clause or payer")
    .option("--csv", "CSV: every line (or the balances with --balances)")
    .option("--contract <id>", "only this contract (identity or title)")
    .option("--json", "JSON instead of a table")
    .action(async (o: Record<string, unknown>) => {
      w.done(
        await ledgerCommand(
          {
            ledger: o["ledger"] as string,
            ...(o["verify"] ? { verify: true } : {}),
            ...(o["contracts"] ? { contracts: true } : {}),
            ...(o["balances"] !== undefined ? { balances: o["balances"] as string } : {}),
            ...(o["csv"] ? { csv: true } : {}),
            ...(o["contract"] !== undefined ? { contract: o["contract"] as string } : {}),
            ...(o["json"] ? { json: true } : {}),
            ...(o["expectHead"] !== undefined ? { expectHead: o["expectHead"] as string } : {}),
            ...(o["now"] !== undefined ? { now: o["now"] as string } : {}),
          },
          w.io,
        ),
      );
    });

  configure(program.command("serve"), "obc serve")
    .description("serve check, compile, run, analysis, adapt (and with --ledger, settle and the ledger) over HTTP on 127.0.0.1")
    .option("-p, --port <n>", "port (0 picks a free one)", int("--port"), 8787)
    .option("--max-body <bytes>", "largest request body", int("--max-body"))
    .option("--timeout <ms>", "time to answer one request", int("--timeout"))
    .option("--workers <n>", "worker threads", int("--workers"))
    .option("--inline", "run requests on the main thread")
    .option("--portfolio <file>", "also serve this portfolio's dashboard (at /) and API (under /portfolio/api/)")
    .option("--ledger <file|url>", "a ledger (an SQLite file, created when missing, or postgres://…): POST /settle and GET /ledger/…; with --portfolio, the portfolio's (default obc-ledger.sqlite)")
    .option("--secret-file <file>", "with --portfolio: the pseudonymisation secret for provider and evaluator views")
    .action(async (o: Record<string, unknown>) => {
      w.done(
        await serveCommand(
          {
            port: o["port"] as number,
            ...(o["portfolio"] !== undefined ? { portfolio: o["portfolio"] as string } : {}),
            ...(o["ledger"] !== undefined ? { ledger: o["ledger"] as string } : {}),
            ...(o["secretFile"] !== undefined ? { secretFile: o["secretFile"] as string } : {}),
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
