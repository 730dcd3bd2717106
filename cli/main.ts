/**
 * The `obc` command line: check, compile, run and format OBC contracts, and print the JSON
 * Schema of a run's output.
 *
 * `main(argv, io)` never throws and never exits the process: it writes through `io` and returns
 * the exit code (see {@link EXIT}), so tests can run it in-process. `bin/obc.mjs` is the launcher.
 *
 * Messages for users are one line (`obc: …`), name paths as the user typed them, and never
 * print the contents of a data file.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { CompileResult } from "../language/driver.ts";
import { compiler, fsReason } from "../node/cli-support.ts";
import { packageVersion } from "../node/package-info.ts";
import { documentOptions, generatedDate, parseDate, type DocumentFlags } from "./document-options.ts";

/** The exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** `obc check` found errors, the contract is invalid, or `fmt --check` found unformatted files */
  invalid: 1,
  /** unknown command or option, missing argument, bad option value */
  usage: 2,
  /** the run was stopped by data errors */
  data: 3,
  /** a file could not be read or written */
  file: 4,
  /** a bug in obc */
  internal: 70,
} as const;

const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   the contract has errors (check, compile, run), or fmt --check found unformatted files
  2   bad usage: unknown command or option, missing argument, bad option value
  3   bad data: the run was stopped by data errors
  4   a file was not found or could not be read or written
  70  internal error in obc (please report it)`;

/** A stream the CLI writes to. `isTTY` decides whether diagnostics are coloured. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  /** the directory relative paths are read from */
  cwd: string;
  /** environment, for NO_COLOR; defaults to process.env */
  env?: Record<string, string | undefined>;
}

/** An expected failure: printed as `obc: <message>` and turned into its exit code. */
class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

function parseAsOf(value: string): string {
  return parseDate(value);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--data students=path.csv` names the data set; `--data path.csv` leaves it to be matched. */
export function parseDataArg(arg: string): { dataSet?: string; path: string } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(arg);
  return m ? { dataSet: m[1], path: m[2] } : { path: arg };
}

/** Runs the CLI. Never throws; returns the exit code. */
export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const colorFor = (s: OutStream, allowed = true) => allowed && !noColorEnv && s.isTTY === true;

  const out = (s: string) => void stdout.write(s);
  const err = (s: string) => void stderr.write(s);
  let exitCode: number = EXIT.ok;

  const readText = async (userPath: string): Promise<string> => {
    try {
      return (await readFile(resolve(cwd, userPath), "utf8")).replace(/^\ufeff/, "");
    } catch (e) {
      throw new CliError(EXIT.file, `cannot read ${userPath}: ${fsReason(e)}`);
    }
  };
  const writeText = async (userPath: string, text: string): Promise<void> => {
    try {
      await writeFile(resolve(cwd, userPath), text, "utf8");
    } catch (e) {
      throw new CliError(EXIT.file, `cannot write ${userPath}: ${fsReason(e)}`);
    }
  };
  /** Reads and checks a contract; on errors prints them to stderr and stops with exit 1. */
  const loadContract = async (file: string): Promise<{ text: string; compiled: CompileResult & { ir: NonNullable<CompileResult["ir"]> } }> => {
    const text = await readText(file);
    const { compileSource, renderText, nodeResolver } = await compiler();
    const compiled = compileSource(text, { resolver: nodeResolver(resolve(cwd, file)) });
    if (!compiled.ok || !compiled.ir) {
      err(renderText(compiled.diagnostics, text, file, { color: colorFor(stderr) }));
      throw new CliError(EXIT.invalid, `${file} has errors; fix them before running it (see obc check ${file})`);
    }
    const warnings = compiled.diagnostics.filter((d) => d.severity === "warning").length;
    if (warnings > 0) {
      err(`obc: note: ${file} has ${warnings} warning${warnings === 1 ? "" : "s"}; see obc check ${file}\n`);
    }
    return { text, compiled: compiled as CompileResult & { ir: NonNullable<CompileResult["ir"]> } };
  };
  const emit = async (text: string, outFile: string | undefined) => {
    if (outFile !== undefined) await writeText(outFile, text);
    else out(text);
  };

  const program = new Command();
  const configure = (cmd: Command, name: string): Command =>
    cmd
      .exitOverride()
      .configureOutput({
        writeOut: out,
        writeErr: err,
        outputError: (str, write) => {
          const line = str.trim().replace(/^error: /, "");
          write(`${name}: ${line}\nRun '${name} --help' for usage.\n`);
        },
      })
      .showSuggestionAfterError(true);

  configure(program, "obc")
    .name("obc")
    .description("Check, compile, run and format OBC outcomes-based tutoring contracts.")
    .version(packageVersion(), "-V, --version", "print the version of obc")
    // obc's own options come before the command, so `obc run --version 1.0` names a contract version
    .enablePositionalOptions()
    .helpOption("-h, --help", "show help")
    .addHelpText(
      "after",
      `
Examples:
  $ obc check examples/03-algebra-pilot/contract.obc
  $ obc run examples/03-algebra-pilot/contract.obc --data examples/03-algebra-pilot/students.csv --data examples/03-algebra-pilot/checkpoints.csv
  $ obc help run
${EXIT_CODES_HELP}`,
    );

  const parseFormat = (v: string): "md" | "html" | "docx" => {
    if (v === "md" || v === "html" || v === "docx") return v;
    throw new InvalidArgumentError("Use md, html or docx.");
  };
  const parseCount = (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("Give a whole number of students, e.g. 500.");
    return Number(v);
  };

  // ───────────── check ─────────────
  configure(program.command("check"), "obc check")
    .description("check contracts and report each problem with its line and column")
    .argument("<file...>", "contract files (.obc)")
    .option("--json", "print the diagnostics as JSON: { files: [{ file, ok, diagnostics }] }")
    .option("--no-color", "never colour the output (colour is used only on a terminal)")
    .addHelpText("after", `\nExample:\n  $ obc check examples/*/*.obc\n${EXIT_CODES_HELP}`)
    .action(async (files: string[], opts: { json?: boolean; color: boolean }) => {
      const color = colorFor(stdout, opts.color);
      const green = (s: string) => (color ? `\x1b[1;32m${s}\x1b[0m` : s);
      const report: { file: string; ok: boolean; error?: string; diagnostics: unknown[] }[] = [];
      let unreadable = false;
      let invalid = false;
      let printedDiagnostics = false;
      for (const file of files) {
        let text: string;
        try {
          text = await readText(file);
        } catch (e) {
          if (!(e instanceof CliError)) throw e;
          unreadable = true;
          err(`obc: ${e.message}\n`);
          report.push({ file, ok: false, error: e.message.replace(/^.*: /, ""), diagnostics: [] });
          continue;
        }
        const { compileSource, renderText, toJson, nodeResolver } = await compiler();
        const result = compileSource(text, { resolver: nodeResolver(resolve(cwd, file)) });
        if (!result.ok) invalid = true;
        if (opts.json) {
          report.push({ file, ok: result.ok, diagnostics: toJson(result.diagnostics, text, file) });
          continue;
        }
        const n = result.diagnostics.length;
        // a blank line between the reports of files that have diagnostics
        if (n > 0 && printedDiagnostics) out("\n");
        if (n > 0) out(renderText(result.diagnostics, text, file, { color }));
        if (result.ok) {
          out(green("✓") + ` ${file}: ${n === 0 ? "no problems found" : `no errors (${n} other diagnostic${n === 1 ? "" : "s"})`}\n`);
        }
        printedDiagnostics ||= n > 0;
      }
      if (opts.json) out(JSON.stringify({ files: report }, null, 2) + "\n");
      exitCode = unreadable ? EXIT.file : invalid ? EXIT.invalid : EXIT.ok;
    });

  // ───────────── compile ─────────────
  configure(program.command("compile"), "obc compile")
    .description("print a contract's json-rules-engine rules as JSON")
    .argument("<file>", "contract file (.obc)")
    .option("-o, --out <file>", "write the rules to this file instead of printing them")
    .addHelpText("after", `\nExample:\n  $ obc compile examples/03-algebra-pilot/contract.obc --out rules.json\n${EXIT_CODES_HELP}`)
    .action(async (file: string, opts: { out?: string }) => {
      const { text, compiled } = await loadContract(file);
      const { compileRules } = await import("../engine/index.ts");
      await emit(JSON.stringify(compileRules(compiled.ir, text), null, 2) + "\n", opts.out);
    });

  // ───────────── run ─────────────
  configure(program.command("run"), "obc run")
    .description("run a contract on data files and report what it pays, and why")
    .argument("<file>", "contract file (.obc)")
    .requiredOption(
      "-d, --data <file>",
      "a data file (CSV or JSON); repeat for each data set; write dataset=path to name its data set",
      collect,
    )
    .option("--as-of <date>", "the run's clock, YYYY-MM-DD: milestones due after it are not yet payable", parseAsOf)
    .option("--version <version>", "run the contract as it stood at this version (the version in its header, or an amendment's), without the amendments after it")
    .option("--strict", "stop the run on any data error instead of reporting it and going on")
    .option("--engine <engine>", "fast (the default: compiled closures) or reference (json-rules-engine); both give the same output", (v: string) => {
      if (v !== "fast" && v !== "reference") throw new InvalidArgumentError("Use fast or reference.");
      return v;
    })
    .option("--json", "print the full result as JSON (see obc schema)")
    .option("-o, --out <file>", "write the output to this file instead of printing it")
    .option("--bulk", "for large cohorts: decide students on every core with the fast engine and print totals and one total per student (CSV, or JSON with --json), without reasons")
    .option("--workers <n>", "with --bulk: worker threads (default: the available cores)", parseCount)
    .option("--aggregate", "print only totals for funders and the public (CSV, or JSON with --json), no student rows")
    .option("--min-cell <n>", "with --aggregate: the fewest students a published figure may describe (default 10)", parseCount)
    .addHelpText(
      "after",
      `
Example:
  $ obc run examples/03-algebra-pilot/contract.obc \\
      --data examples/03-algebra-pilot/students.csv --data checkpoints=examples/03-algebra-pilot/checkpoints.csv \\
      --as-of 2027-07-01
  $ obc run contract.obc --data students.csv --version 1.0     # what the contract as signed pays
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, opts: { data: string[]; asOf?: string; version?: string; strict?: boolean; json?: boolean; out?: string; aggregate?: boolean; minCell?: number; engine?: "fast" | "reference"; bulk?: boolean; workers?: number }) => {
      const loaded = await loadContract(file);
      const { text } = loaded;
      let compiled = loaded.compiled;
      if (opts.version !== undefined) {
        const { contractAtVersion, versionLabels } = await import("../engine/amendments.ts");
        const at = contractAtVersion(compiled.ir, opts.version);
        if (!at) {
          const labels = versionLabels(compiled.ir);
          throw new CliError(
            EXIT.usage,
            `run: ${file} has no version ${JSON.stringify(opts.version)}; ` +
              (labels.length ? `its versions are ${labels.map((l) => JSON.stringify(l)).join(", ")}` : `it names no versions (write version "…" after its title)`),
          );
        }
        compiled = { ...compiled, ir: at };
      }
      if (opts.bulk) {
        // large cohorts: the roster streams from disk to the worker threads
        const { bulkRunFiles } = await import("./bulk.ts");
        const paths = opts.data.map((arg) => {
          const { dataSet, path } = parseDataArg(arg);
          return { path: resolve(cwd, path), label: path, ...(dataSet !== undefined ? { dataSet } : {}) };
        });
        let result: { ok: boolean; internal?: boolean; output: string; summary?: string };
        try {
          // a one-line progress display on a terminal; nothing when stderr is piped
          const { createProgress } = await import("../node/progress.ts");
          const progress = createProgress({ stderr: err, stderrIsTTY: stderr.isTTY === true });
          result = await bulkRunFiles(compiled.ir, text, paths, { asOf: opts.asOf, strict: opts.strict, workers: opts.workers, json: opts.json }, progress);
        } catch (e) {
          const bad = paths.find((p) => (e as { path?: string }).path === p.path);
          if (bad) throw new CliError(EXIT.file, `cannot read ${bad.label}: ${fsReason(e)}`);
          throw e;
        }
        if (result.internal) {
          err(result.output);
          throw new CliError(EXIT.internal, (await import("./report.ts")).INTERNAL_REFUSAL);
        }
        if (!result.ok) {
          err(result.output);
          throw new CliError(EXIT.data, "the run stopped because of data errors");
        }
        await emit(result.output, opts.out);
        // the totals go to stderr: the CSV holds the students' rows and nothing else
        if (result.summary) err(result.summary);
        return;
      }
      // bytes → text in one place: UTF-8, UTF-16 with a byte-order mark, or Windows-1252; anything else is refused by the run
      const { readDataFile } = await import("../node/data-file.ts");
      const files = [];
      for (const arg of opts.data) {
        const { dataSet, path } = parseDataArg(arg);
        try {
          files.push((await readDataFile(resolve(cwd, path), path, dataSet)).file);
        } catch (e) {
          throw new CliError(EXIT.file, `cannot read ${path}: ${fsReason(e)}`);
        }
      }
      const { runContract } = await import("../engine/index.ts");
      const { problemsTable, renderRunReport, allProblems, renderInternalError, INTERNAL_REFUSAL } = await import("./report.ts");
      const run = await runContract(compiled.ir, text, files, {
        ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
        ...(opts.strict ? { strict: true } : {}),
        ...(opts.engine ? { engine: opts.engine } : {}),
      });
      if (!run.ok || !run.result) {
        const errors = run.problems.filter((p) => p.severity === "error").length;
        err(problemsTable(run.problems, ""));
        throw new CliError(
          EXIT.data,
          `the run stopped because of ${errors} data error${errors === 1 ? "" : "s"}` +
            (opts.strict ? " (--strict stops at any error; without it, rows with errors are reported and the run goes on)" : ""),
        );
      }
      if (run.result.internalError) {
        // a result that breaks OBC's own guarantees is never printed as payments
        err(renderInternalError(run.result.internalError));
        throw new CliError(EXIT.internal, INTERNAL_REFUSAL);
      }
      if (opts.aggregate) {
        // funders and the public see totals only, with small groups suppressed
        const { aggregateForFunders, renderAggregateCsv } = await import("../node/aggregate.ts");
        const agg = aggregateForFunders(run.result, opts.minCell !== undefined ? { minCell: opts.minCell } : {});
        await emit(opts.json ? JSON.stringify(agg, null, 2) + "\n" : renderAggregateCsv(agg), opts.out);
        return;
      }
      await emit(opts.json ? JSON.stringify(run.result, null, 2) + "\n" : renderRunReport(run.result), opts.out);
      const errors = allProblems(run.result).filter((p) => p.severity === "error").length;
      if (errors > 0 && (opts.json || opts.out !== undefined)) {
        err(`obc: note: the data has ${errors} error${errors === 1 ? "" : "s"}; see dataQuality in the output\n`);
      }
    });

  // ───────────── fmt ─────────────
  configure(program.command("fmt"), "obc fmt")
    .description("format contracts in the standard layout")
    .argument("<file...>", "contract files (.obc)")
    .option("--check", "change nothing; list the files that are not formatted and exit 1 if there are any")
    .option("--write", "rewrite the files in place")
    .addHelpText("after", `\nExample:\n  $ obc fmt --write examples/03-algebra-pilot/contract.obc\n${EXIT_CODES_HELP}`)
    .action(async (files: string[], opts: { check?: boolean; write?: boolean }) => {
      if (opts.check && opts.write) throw new CliError(EXIT.usage, "fmt: use either --check or --write, not both");
      // loaded only here: the other commands do not need the formatter
      const { format } = await import("../language/format/index.ts");
      const { renderText } = await compiler();
      let failed = false;
      let unformatted = 0;
      for (const file of files) {
        const text = await readText(file);
        const formatted = format(text);
        if (formatted.diagnostics.some((d) => d.severity === "error")) {
          err(renderText(formatted.diagnostics, text, file, { color: colorFor(stderr) }));
          err(`obc: cannot format ${file} until its syntax errors are fixed\n`);
          failed = true;
          continue;
        }
        const changed = formatted.value !== text;
        if (opts.check) {
          if (changed) {
            unformatted++;
            out(`not formatted: ${file}\n`);
          }
        } else if (opts.write) {
          if (changed) {
            await writeText(file, formatted.value);
            out(`formatted ${file}\n`);
          }
        } else {
          out(formatted.value);
        }
      }
      if (opts.check && unformatted === 0 && !failed) out(`✓ ${files.length === 1 ? files[0] : `all ${files.length} files`}: formatted\n`);
      exitCode = failed || unformatted > 0 ? EXIT.invalid : EXIT.ok;
    });

  // ───────────── schema ─────────────
  configure(program.command("schema"), "obc schema")
    .description("print the JSON Schema of the output of run --json")
    .addHelpText("after", `\nExample:\n  $ obc schema > run-result.schema.json\n${EXIT_CODES_HELP}`)
    .action(async () => {
      const { runResultJsonSchema } = await import("../engine/index.ts");
      out(JSON.stringify(await runResultJsonSchema(), null, 2) + "\n");
    });

  // ───────────── summary ─────────────
  documentOptions(configure(program.command("summary"), "obc summary"))
    .description("write the plain-language summary of a contract for the people who sign it")
    .argument("<file>", "contract file (.obc)")
    .option("-f, --format <format>", "md, html or docx", parseFormat, "md")
    .option("-o, --out <file>", "write to this file (required for docx)")
    .option("--cohort <n>", "the cohort size for the maximum exposure", parseCount)
    .option("--as-of <date>", "the date stamped in the document and used for the worked examples", parseAsOf)
    .option("--source-map", "print, for each sentence, the range of the contract text it renders (JSON)")
    .option("--no-examples", "leave out the worked examples")
    .option("--prevails <document>", "the document that prevails where it and the summary differ (default: the contract's source text)")
    .addHelpText("after", `\nExample:\n  $ obc summary examples/03-algebra-pilot/contract.obc --format docx --out pilot.docx --cohort 400\n${EXIT_CODES_HELP}`)
    .action(async (file: string, opts: { format: "md" | "html" | "docx"; out?: string; cohort?: number; asOf?: string; sourceMap?: boolean; examples: boolean; prevails?: string } & DocumentFlags) => {
      if (opts.format === "docx" && !opts.out && !opts.sourceMap) throw new CliError(EXIT.usage, "summary: a .docx is binary; give a file with --out");
      const { text, compiled } = await loadContract(file);
      const { summaryCommand } = await import("./documents.ts");
      await summaryCommand(compiled.ir, text, file, { ...opts, obcVersion: packageVersion(), date: generatedDate(opts.date, env) }, { out, cwd });
    });

  // ───────────── diff ─────────────
  documentOptions(configure(program.command("diff"), "obc diff"))
    .description("compare two versions of a contract in business terms (exit 0 when equal, 1 when different)")
    .argument("<old>", "the earlier version (.obc)")
    .argument("<new>", "the later version (.obc)")
    .option("-f, --format <format>", "md, html or docx", parseFormat, "md")
    .option("-o, --out <file>", "write to this file (required for docx)")
    .option("--json", "print the changes as JSON: { equal, changes: [{ area, kind, text }] }")
    .option("--effective <date>", "the date the later version takes effect (default: its newest amendment's date, else not stated)", parseDate)
    .option("--author <name>", "the author of the tracked changes of the Word redline (default \"OBC\")")
    .addHelpText("after", `\nExample:\n  $ obc diff pilot-v1.obc pilot-v2.obc --format html --out changes.html\n  $ obc diff pilot-v1.obc pilot-v2.obc --format docx --out redline.docx --effective 2027-01-01\n${EXIT_CODES_HELP}`)
    .action(async (oldFile: string, newFile: string, opts: { format: "md" | "html" | "docx"; out?: string; json?: boolean; effective?: string; author?: string } & DocumentFlags) => {
      if (opts.format === "docx" && !opts.out && !opts.json) throw new CliError(EXIT.usage, "diff: a .docx is binary; give a file with --out");
      const older = await loadContract(oldFile);
      const newer = await loadContract(newFile);
      const { diffCommand } = await import("./documents.ts");
      const equal = await diffCommand(
        { ir: older.compiled.ir, source: older.text, file: oldFile },
        { ir: newer.compiled.ir, source: newer.text, file: newFile },
        { ...opts, obcVersion: packageVersion(), date: generatedDate(opts.date, env) },
        { out, cwd },
      );
      exitCode = equal ? EXIT.ok : EXIT.invalid;
    });

  // ───────────── templates ─────────────
  configure(program.command("templates"), "obc templates")
    .description("list the template library, or print one template's documentation")
    .argument("[name]", "a template name")
    .addHelpText("after", `\nExample:\n  $ obc templates\n  $ obc templates benchmark_attainment\n${EXIT_CODES_HELP}`)
    .action(async (name: string | undefined) => {
      const { templatesCommand } = await import("./templates.ts");
      exitCode = await templatesCommand(name, { stdout: out, stderr: err });
    });

  // ───────────── simulate ─────────────
  configure(program.command("simulate"), "obc simulate")
    .description("price a contract: pay many synthetic cohorts drawn from stated assumptions")
    .argument("<file>", "contract file (.obc)")
    .option("--cohort <n>", "students per simulated cohort (default 500)")
    .option("--runs <n>", "number of simulated cohorts (default 1000)")
    .option("--seed <n>", "seed of the random draws (default 1); the same seed gives the same result")
    .option("--baseline <mean,sd>", "scores at the start (default 50,10)")
    .option("--growth <mean,sd>", "growth over the year in score points (default 8,6)")
    .option("--attendance <mean,sd>", "counts such as sessions attended (default 30,8)")
    .option("--missing <share>", "the share of optional values that are missing (default 0.05)")
    .option("--p-true <share>", "the chance that a yes/no value is yes (default 0.5)")
    .option("--as-of <date>", "the run's clock for every simulated cohort", parseAsOf)
    .option("--json", "print the distribution as JSON")
    .option("-o, --out <file>", "write the output to this file")
    .addHelpText("after", `\nExample:\n  $ obc simulate examples/03-algebra-pilot/contract.obc --cohort 500 --runs 1000 --growth 10,6\n${EXIT_CODES_HELP}`)
    .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
      const { simulateCommand } = await import("./simulate.ts");
      exitCode = await simulateCommand({ contract: file, ...opts }, { stdout: out, stderr: err, stderrIsTTY: stderr.isTTY === true, cwd, env });
    });

  // ───────────── adapt, settle, ledger, serve (Node-only: files, SQLite, HTTP) ─────────────
  const { addNodeCommands } = await import("../node/cli-wiring.ts");
  addNodeCommands(program, {
    io: { stdout: out, stderr: err, stderrIsTTY: stderr.isTTY === true, cwd, env },
    configure,
    done: (code) => (exitCode = code),
  });

  // ───────────── portfolio (the intermediary's desk) ─────────────
  // Its definitions load the ledger and the portfolio code: skipped when the command line names
  // another command or asks for the version (help, typos and `portfolio` itself still see it).
  const first = argv.find((a) => !a.startsWith("-")) ?? "";
  const otherCommand = program.commands.some((c) => c.name() === first);
  const versionOnly = argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V");
  if (!otherCommand && !versionOnly) {
    const { addPortfolioCommand } = await import("./portfolio.ts");
    addPortfolioCommand(program, {
      io: { stdout: out, stderr: err, stderrIsTTY: stderr.isTTY === true, cwd, env },
      configure,
      done: (code) => (exitCode = code),
    });
  }

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof CliError) {
      err(`obc: ${e.message}\n`);
      if (e.exitCode === EXIT.internal) err("obc: please report this, with the command you ran.\n");
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    err(`obc: internal error: ${message}\nobc: please report this, with the command you ran.\n`);
    return EXIT.internal;
  }
}
