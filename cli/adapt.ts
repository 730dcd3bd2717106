/**
 * `obc adapt FORMAT FILES… --contract C --data-set NAME [--out F] [--pseudonymize --secret-file F]`
 *
 * Reads district or vendor files (DATAS, NWEA MAP Growth, i-Ready, Star, Ed-Fi, OneRoster, or any
 * CSV with a column mapping), streams large ones, and writes the per-student CSV that the
 * contract's data set declares, ready for `obc run --data NAME=FILE`. A FILE written
 * `FORMAT:path` is read in that format (to combine, e.g., DATAS sessions with NWEA scores).
 * The data-quality summary goes to stderr (file, row, column and rule — never a value).
 *
 * Exit codes: 0 written; 1 the contract has errors; 2 bad usage (unknown format or data set, bad
 * window, missing secret); 3 bad data (with --strict: any rejected row; or a declared field no
 * input provides); 4 a file could not be read or written.
 */
import { writeFile } from "node:fs/promises";
import { adaptForDataSet, FORMATS, isFormat, parseMapping, renderQuality, type AdaptInput, type ColumnMapping } from "../node/adapters/index.ts";
import { DataFileRefused, FileReadError } from "../node/adapters/csv-stream.ts";
import { CommandError, EXIT, fsReason, isIsoDate, loadContract, readTextAndHash, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { hmacKeys, loadSecret, SecretError } from "../node/privacy.ts";
import { createProgress } from "../node/progress.ts";

export interface AdaptCommandOptions {
  /** FORMAT: datas | nwea | iready | star | edfi | oneroster | csv */
  format: string;
  /** FILES…; `FORMAT:path` overrides the format for one file */
  files: string[];
  /** --contract C */
  contract: string;
  /** --data-set NAME: a per-student data set of the contract */
  dataSet: string;
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
  return runCommand("adapt", io, async () => {
    if (!isFormat(opts.format) && !opts.files.every((f) => /^([a-z]+):/.test(f) && isFormat(f.split(":")[0]))) {
      throw new CommandError(EXIT.usage, `unknown format ${opts.format}; use one of ${FORMAT_LIST}`);
    }
    if (opts.files.length === 0) throw new CommandError(EXIT.usage, "give at least one file to adapt");
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

    const { ir } = await loadContract(io, opts.contract);
    const ds = ir.dataSets.find((d) => d.name === opts.dataSet);
    if (!ds) {
      throw new CommandError(EXIT.usage, `${opts.contract} has no data set ${opts.dataSet} (it has ${ir.dataSets.map((d) => d.name).join(", ")})`);
    }
    if (ds.kind !== "student") {
      throw new CommandError(EXIT.usage, `the data set ${ds.name} is not per student; obc adapt writes per-student data sets`);
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
      if (e instanceof FileReadError) throw new CommandError(EXIT.file, e.message);
      if (e instanceof DataFileRefused) throw new CommandError(EXIT.data, e.message);
      if (e instanceof RangeError) throw new CommandError(EXIT.usage, e.message);
      throw e;
    } finally {
      progress.done();
    }
    const ms = Date.now() - started;

    io.stderr(renderQuality(result.quality));
    if (opts.quality !== undefined) {
      try {
        await writeFile(resolvePath(io, opts.quality), JSON.stringify(result.quality, null, 2) + "\n", "utf8");
      } catch (e) {
        throw new CommandError(EXIT.file, `cannot write ${opts.quality}: ${fsReason(e)}`);
      }
    }
    if (result.csv.unmapped.length > 0) {
      throw new CommandError(
        EXIT.data,
        `no input provides ${result.csv.unmapped.join(", ")} of the data set ${ds.name}; ` +
          `name a source with --map FIELD=SOURCE (see the value names in node/adapters/bundle.ts)`,
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
  });
}
