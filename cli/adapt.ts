/**
 * `obc adapt FORMAT FILES… --contract C --data-set NAME [--out F] [--pseudonymize --secret-file F]`
 * `obc adapt FORMAT [FILES…] --fields`
 *
 * Reads district or vendor files (DATAS, NWEA MAP Growth, i-Ready, Star, Ed-Fi, OneRoster, or any
 * CSV with a column mapping), streams large ones, and writes the per-student CSV that the
 * contract's data set declares, ready for `obc run --data NAME=FILE`. A FILE written
 * `FORMAT:path` is read in that format (to combine, e.g., DATAS sessions with NWEA scores).
 * The data-quality summary goes to stderr (file, row, column and rule — never a value). A FILE
 * written `-` is standard input. `--fields` lists the values a format yields (with files: the
 * values those files give, and for how many students). `--json` prints the quality report and
 * any error as JSON on stderr.
 *
 * Exit codes: 0 written; 1 the contract has errors; 2 bad usage (unknown format or data set, bad
 * window, missing secret); 3 bad data (with --strict: any rejected row; or a declared field no
 * input provides); 4 a file could not be read or written.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { didYouMean } from "../language/diagnostics/suggest.ts";
import type { StudentRecordsResult } from "../node/adapters/bundle.ts";
import { renderFormatFields } from "../node/adapters/fields.ts";
import { adaptFiles, adaptForDataSet, FORMATS, isFormat, parseMapping, renderQuality, type AdaptInput, type ColumnMapping } from "../node/adapters/index.ts";
import { DataFileRefused, FileReadError } from "../node/adapters/csv-stream.ts";
import { CommandError, EXIT, fsReason, isIsoDate, loadContract, readTextAndHash, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { hmacKeys, loadSecret, SecretError } from "../node/privacy.ts";
import { createProgress } from "../node/progress.ts";

export interface AdaptCommandOptions {
  /** FORMAT: datas | nwea | iready | star | edfi | oneroster | csv */
  format: string;
  /** FILES…; `FORMAT:path` overrides the format for one file */
  files: string[];
  /** --contract C (required unless --fields) */
  contract?: string;
  /** --data-set NAME: a per-student data set of the contract (required unless --fields) */
  dataSet?: string;
  /** --fields: list the per-student values the format (or the files) yield, and stop */
  fields?: boolean;
  /** --json: the quality report and errors as JSON (stderr) */
  json?: boolean;
  /** --out F (default: stdout) */
  out?: string;
  /** --pseudonymize: replace student ids by HMAC-SHA256(secret, idSystem:id) */
  pseudonymize?: boolean;
  /** --secret-file F: the secret (else the environment variable --secret-env) */
  secretFile?: string;
  /** --secret-env NAME (default OBC_PSEUDONYM_SECRET) */
  secretEnv?: string;
  /** --id-system S: the id system named in pseudonyms (default sis, or state with --id-field state) */
  idSystem?: string;
  /** --id-field local|state: which id identifies students in vendor files (default local) */
  idField?: "local" | "state";
  /** --sessions-through DATE: leave out sessions after this day (a data drop's cut-off) */
  sessionsThrough?: string;
  /** --window NAME=DATE[..DATE], repeatable: session counts in a date window (`sessions_NAME`, …) */
  window?: string[];
  /** --map FIELD=SOURCE, repeatable: fill a declared field from a named per-student value */
  map?: string[];
  /** --mapping F: the column mapping of `csv` files */
  mapping?: string;
  /** --subject S: the subject of i-Ready or Star files that do not say */
  subject?: string;
  /** --strict: fail (exit 3, nothing written) on any rejected row or unreadable cell */
  strict?: boolean;
  /** --quality F: write the data-quality report as JSON */
  quality?: string;
}

const FORMAT_LIST = Object.keys(FORMATS).join(", ");

function splitFile(arg: string, format: string): AdaptInput {
  const m = /^([a-z]+):(.+)$/.exec(arg);
  if (m && isFormat(m[1])) return { format: m[1], path: m[2], label: m[2] };
  if (!isFormat(format)) throw new CommandError(EXIT.usage, `unknown format ${format}; use one of ${FORMAT_LIST}`);
  return { format, path: arg, label: arg };
}

/** Runs `obc adapt`. Never throws; returns the exit code. */
export async function adaptCommand(opts: AdaptCommandOptions, io: CommandIO): Promise<number> {
  const spooled: string[] = [];
  try {
    return await runCommand("adapt", io, () => adapt(opts, io, spooled), { json: opts.json ?? false });
  } finally {
    for (const dir of spooled) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Copies standard input to a private temporary file (adapters read a file twice: its hash,
 * then its rows); the caller removes the folder.
 */
async function spoolStdin(io: CommandIO, spooled: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "obc-adapt-"));
  spooled.push(dir);
  const path = join(dir, "stdin");
  await pipeline(io.stdin ?? process.stdin, createWriteStream(path, { mode: 0o600 }));
  return path;
}

/** The per-student values some files yield: name, and how many students have one. */
function renderFileFields(records: StudentRecordsResult): string {
  const counts = new Map<string, number>();
  for (const r of records.records.values()) {
    for (const [k, v] of r) if (v !== undefined && v !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const rows = [...counts].map(([k, n]) => [records.names.get(k) ?? k, n] as const).sort((a, b) => a[0].localeCompare(b[0]));
  const width = Math.max(4, ...rows.map((r) => r[0].length));
  return [`${"name".padEnd(width)}  students with a value (of ${records.roster.length})`, ...rows.map(([n, c]) => `${n.padEnd(width)}  ${c}`)].join("\n") + "\n";
}

async function adapt(opts: AdaptCommandOptions, io: CommandIO, spooled: string[]): Promise<number> {
  {
    if (!isFormat(opts.format) && !opts.files.every((f) => /^([a-z]+):/.test(f) && isFormat(f.split(":")[0]))) {
      throw new CommandError(EXIT.usage, `unknown format ${opts.format}; use one of ${FORMAT_LIST}`, "unknown-format");
    }
    if (opts.fields && opts.files.length === 0) {
      if (!isFormat(opts.format)) throw new CommandError(EXIT.usage, `unknown format ${opts.format}; use one of ${FORMAT_LIST}`, "unknown-format");
      io.stdout(renderFormatFields(opts.format));
      return EXIT.ok;
    }
    if (opts.files.length === 0) throw new CommandError(EXIT.usage, "give at least one file to adapt (- for standard input)");
    if (opts.files.filter((f) => f === "-" || f.endsWith(":-")).length > 1) throw new CommandError(EXIT.usage, "standard input (-) can be read only once");
    if (opts.sessionsThrough !== undefined && !isIsoDate(opts.sessionsThrough)) {
      throw new CommandError(EXIT.usage, "--sessions-through: write the date as YYYY-MM-DD");
    }
    if (opts.idField !== undefined && opts.idField !== "local" && opts.idField !== "state") {
      throw new CommandError(EXIT.usage, "--id-field is local or state");
    }
    const map: Record<string, string> = {};
    for (const m of opts.map ?? []) {
      const x = /^([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_ -]+)$/.exec(m);
      if (!x) throw new CommandError(EXIT.usage, `--map ${m}: write FIELD=SOURCE, e.g. --map sessions=math_sessions`);
      map[x[1]] = x[2];
    }
    const inputs = opts.files.map((f) => splitFile(f, opts.format));
    for (const input of inputs) {
      if (input.path === "-") {
        input.path = await spoolStdin(io, spooled);
        input.label = "(standard input)";
      }
    }

    if (opts.fields) {
      let listed;
      try {
        listed = await adaptFiles(inputs.map((i) => (i.path === "-" ? i : { ...i, path: resolvePath(io, i.path) })), {
          ...(opts.subject ? { subject: opts.subject } : {}),
          ...(opts.idField ? { idField: opts.idField } : {}),
        });
      } catch (e) {
        if (e instanceof FileReadError) throw new CommandError(EXIT.file, e.message, "file");
        throw e;
      }
      io.stdout(renderFileFields(listed.records));
      return EXIT.ok;
    }

    if (opts.contract === undefined || opts.dataSet === undefined) {
      throw new CommandError(EXIT.usage, "give the contract and its data set: --contract FILE --data-set NAME (or --fields to list what the files give)", "usage");
    }
    const { ir } = await loadContract(io, opts.contract);
    const ds = ir.dataSets.find((d) => d.name === opts.dataSet);
    if (!ds) {
      throw new CommandError(EXIT.usage, `${opts.contract} has no data set ${opts.dataSet} (it has ${ir.dataSets.map((d) => d.name).join(", ")})`, "unknown-data-set");
    }
    if (ds.kind !== "student") {
      throw new CommandError(EXIT.usage, `the data set ${ds.name} is not per student; obc adapt writes per-student data sets`, "not-per-student");
    }

    let mapping: ColumnMapping | undefined;
    if (opts.mapping !== undefined) {
      const { text } = await readTextAndHash(io, opts.mapping);
      const parsed = parseMapping(text);
      if (!parsed.ok) throw new CommandError(EXIT.usage, `${opts.mapping}: ${parsed.message}`);
      mapping = parsed.mapping;
      if (mapping.dataSet !== ds.name) throw new CommandError(EXIT.usage, `${opts.mapping} maps the data set ${mapping.dataSet}, not ${ds.name}`);
    } else if (inputs.some((i) => i.format === "csv")) {
      throw new CommandError(EXIT.usage, "csv files need a column mapping: --mapping FILE");
    }

    let keys;
    if (opts.pseudonymize) {
      try {
        const secret = await loadSecret(
          { ...(opts.secretFile !== undefined ? { secretFile: opts.secretFile } : {}), ...(opts.secretEnv !== undefined ? { secretEnv: opts.secretEnv } : {}), cwdResolve: (p) => resolvePath(io, p) },
          io.env ?? process.env,
        );
        keys = hmacKeys(secret);
      } catch (e) {
        if (e instanceof SecretError) throw new CommandError(e.kind === "file" ? EXIT.file : EXIT.usage, e.message);
        throw e;
      }
    } else if (opts.secretFile !== undefined) {
      throw new CommandError(EXIT.usage, "--secret-file is used only with --pseudonymize");
    }

    const progress = createProgress(io);
    const started = Date.now();
    let result;
    try {
      result = await adaptForDataSet(ds, inputs.map((i) => ({ ...i, path: resolvePath(io, i.path) })), {
        ...(keys ? { keys } : {}),
        ...(opts.strict ? { strict: true } : {}),
        ...(opts.sessionsThrough ? { sessionsThrough: opts.sessionsThrough } : {}),
        ...(opts.subject ? { subject: opts.subject } : {}),
        ...(opts.idField ? { idField: opts.idField } : {}),
        ...(opts.idSystem ? { idSystem: opts.idSystem } : {}),
        ...(mapping ? { mapping } : {}),
        windowSpecs: opts.window ?? [],
        map,
        onProgress: (file, done, total) => progress.update(`reading ${file}`, done, total),
      });
    } catch (e) {
      if (e instanceof FileReadError) throw new CommandError(EXIT.file, e.message, "file");
      if (e instanceof DataFileRefused) throw new CommandError(EXIT.data, e.message, "refused-file");
      if (e instanceof RangeError) throw new CommandError(EXIT.usage, e.message, "usage");
      throw e;
    } finally {
      progress.done();
    }
    const ms = Date.now() - started;

    io.stderr(opts.json ? JSON.stringify({ quality: result.quality }) + "\n" : renderQuality(result.quality));
    if (opts.quality !== undefined) {
      try {
        await writeFile(resolvePath(io, opts.quality), JSON.stringify(result.quality, null, 2) + "\n", "utf8");
      } catch (e) {
        throw new CommandError(EXIT.file, `cannot write ${opts.quality}: ${fsReason(e)}`);
      }
    }
    if (result.csv.unmapped.length > 0) {
      // the closest names the files do give, as the adapters write them
      const given = result.available.map((k) => result.names.get(k) ?? k);
      const close = result.csv.unmapped.map((f) => [f, didYouMean(f, given)] as const).filter(([, s]) => s !== undefined);
      const files = opts.files.join(" ");
      throw new CommandError(
        EXIT.data,
        `no input provides ${result.csv.unmapped.join(", ")} of the data set ${ds.name}` +
          (close.length ? `; closest: ${close.map(([f, s]) => `${f} → ${s}`).join(", ")}` : "") +
          `; name a source with --map FIELD=NAME, from the names these files give: obc adapt ${opts.format} ${files} --fields`,
        "missing-field",
      );
    }
    if (opts.strict && !result.quality.clean) {
      const rejected = result.quality.files.reduce((a, f) => a + f.rejections.length + f.cellProblems.length, 0);
      throw new CommandError(EXIT.data, `--strict: ${rejected} rejected row${rejected === 1 ? "" : "s"} or unreadable cell${rejected === 1 ? "" : "s"}; nothing was written`);
    }
    if (opts.out !== undefined) {
      try {
        await writeFile(resolvePath(io, opts.out), result.csv.text, "utf8");
      } catch (e) {
        throw new CommandError(EXIT.file, `cannot write ${opts.out}: ${fsReason(e)}`);
      }
      io.stderr(`obc adapt: wrote ${result.csv.rows} students × ${result.csv.columns.length + 1} columns of ${ds.name} to ${opts.out} in ${ms} ms${keys ? " (pseudonymised keys)" : ""}\n`);
    } else {
      io.stdout(result.csv.text);
    }
    return EXIT.ok;
  }
}
