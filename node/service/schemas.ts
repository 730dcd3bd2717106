/**
 * The HTTP service's request and response shapes, as zod schemas: they validate requests and
 * generate the OpenAPI document (`GET /openapi.json`).
 */
import { z } from "zod";
import { DataProblemSchema, RunResultSchema } from "../../engine/output.ts";

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "write the date as YYYY-MM-DD")
  .refine((s) => {
    const [y, m, d] = s.split("-").map(Number);
    const t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  }, "not a calendar date")
  .describe("a date, YYYY-MM-DD");

export const DataFileSchema = z
  .object({
    label: z.string().min(1).max(500).describe("the file's name, used in every data-quality message"),
    text: z.string().describe("CSV text, or JSON (an array of records)"),
    dataSet: z.string().min(1).max(200).optional().describe("the contract's data set the file holds; matched by name or columns when absent"),
  })
  .strict()
  .describe("one data file");

/** A template file's path in a bundle: relative, inside the contract's folder, ending in .obc. */
const TemplatePath = z
  .string()
  .max(300)
  .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_\-./]+\.obc$/, "a relative path inside the contract's folder, ending in .obc (no .. or leading /)");

export const ContractRequestSchema = z
  .object({
    source: z.string().describe("the contract's OBC source text"),
    templates: z
      .record(TemplatePath, z.string())
      .refine((t) => Object.keys(t).length <= 200, "at most 200 template files")
      .optional()
      .describe(
        "the contract's local templates, by their path relative to the contract (`clauses/attendance.obc`), as its `import … from \"./clauses/attendance.obc\"` names them; library templates (`from stdlib`) need none",
      ),
    files: z.array(DataFileSchema).max(100).optional().describe("data files (used by /run)"),
    asOf: IsoDate.optional().describe("the run's clock: milestones due after it are not yet payable"),
    strict: z.boolean().optional().describe("stop the run on any data error"),
  })
  .strict()
  .describe("a contract, and for /run its data");
export type ContractRequest = z.infer<typeof ContractRequestSchema>;

export const AdaptFileSchema = z
  .object({
    label: z.string().min(1).max(500).describe("the file's name, used in the quality report"),
    text: z.string().optional().describe("the file's text (CSV, XML or JSON)"),
    base64: z.string().optional().describe("or its bytes, base64-encoded (for files in another encoding)"),
    format: z.enum(["datas", "nwea", "iready", "star", "edfi", "oneroster", "clever", "csv"]).optional().describe("this file's format, when it differs from the request's"),
  })
  .strict()
  .refine((f) => (f.text === undefined) !== (f.base64 === undefined), "give text or base64, not both")
  .describe("one district or vendor file");

export const AdaptRequestSchema = ContractRequestSchema.omit({ files: true, asOf: true })
  .extend({
    dataSet: z.string().min(1).max(200).describe("the contract's per-student data set to write"),
    format: z.enum(["datas", "nwea", "iready", "star", "edfi", "oneroster", "clever", "csv"]).describe("the files' format"),
    files: z.array(AdaptFileSchema).min(1).max(50),
    windows: z.array(z.string().max(200)).max(50).optional().describe("session windows, NAME=YYYY-MM-DD[..YYYY-MM-DD]"),
    map: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(200)).optional().describe("declared field → the name of a value the files give"),
    mapping: z.unknown().optional().describe("the column mapping of csv files (as obc adapt --mapping reads it)"),
    subject: z.string().max(50).optional().describe("the subject of i-Ready or Star files that do not say"),
    idField: z.enum(["local", "state"]).optional(),
    sessionsThrough: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().describe("leave out sessions after this day"),
  })
  .strict()
  .describe("district or vendor files to turn into the CSV of one of a contract's data sets");
export type AdaptRequest = z.infer<typeof AdaptRequestSchema>;

const ByteFileFields = {
  label: z.string().min(1).max(500).describe("the file's name, used in every data-quality message and recorded with the drop"),
  text: z.string().optional().describe("the file's text"),
  base64: z.string().optional().describe("or its bytes, base64-encoded: hashed as sent, decoded as every data file is (UTF-8, UTF-16 with a byte-order mark, Windows-1252)"),
};

export const SettleFileSchema = z
  .object({ ...ByteFileFields, dataSet: z.string().min(1).max(200).optional().describe("the contract's data set the file holds; matched by name or columns when absent") })
  .strict()
  .refine((f) => (f.text === undefined) !== (f.base64 === undefined), "give text or base64, not both")
  .describe("one data file of the drop");

export const SettleRequestSchema = ContractRequestSchema.omit({ files: true, asOf: true, strict: true })
  .extend({
    files: z.array(SettleFileSchema).min(1).max(100).describe("the drop's data files"),
    asOf: IsoDate.describe("the run's clock: milestones due after it are not yet payable"),
    suppliedBy: z.string().trim().min(1).max(200).describe("who supplied the files (a district, a provider, a vendor)"),
    suppliedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}/, "write an ISO date (and time)").max(40).optional().describe("when they were supplied (default: now)"),
    attestedBy: z.string().trim().min(1).max(200).describe("the person vouching for the files: only attested data is settled"),
    role: z.enum(["district", "evaluator"]).optional().describe("the attester's role (default district)"),
    maxShrink: z.number().int().min(0).max(100).optional().describe("how far, in percent, the roster may shrink or paid lines be reversed without accept (default 10)"),
    accept: z.string().trim().min(1).max(500).optional().describe("record anyway beyond maxShrink; the reason is kept in the ledger"),
    dryRun: z.boolean().optional().describe("compute what would be recorded, write nothing"),
  })
  .strict()
  .describe("a contract and an attested drop of its data files, to settle in the ledger (what obc settle --data does)");
export type SettleRequest = z.infer<typeof SettleRequestSchema>;

const Cents = z.string().regex(/^-?\d+\.\d{2}$/).describe("an amount in major units with two decimals");
export const SettleResponseSchema = z.object({
  ok: z.literal(true),
  status: z.enum(["recorded", "duplicate", "unchanged"]).describe("recorded: new lines written; duplicate: these exact inputs were settled before; unchanged: nothing is owed or due back"),
  settlement: z.number().int().optional().describe("the new settlement's number, or the earlier one for a duplicate"),
  contract: z.string().describe("the contract's identity in the ledger"),
  currency: z.string(),
  payments: Cents,
  adjustments: Cents,
  net: Cents,
  roster: z.number().int().optional(),
  previousRoster: z.number().int().optional(),
  accepted: z.object({ reason: z.string(), what: z.string() }).optional(),
  lines: z.array(z.object({ student: z.string(), clause: z.string(), period: z.string().optional(), payer: z.string(), kind: z.string(), amount: Cents, reason: z.string() })).describe("the lines recorded now (payments and adjustments)"),
  drop: z.number().int().optional().describe("the drop the files were recorded as (not for a dry run)"),
});

export const SettlementsResponseSchema = z.object({
  ok: z.literal(true),
  settlements: z.array(
    z.object({
      id: z.number().int(),
      contract: z.string(),
      contractTitle: z.string(),
      contractVersion: z.string().optional(),
      contractHash: z.string(),
      inputsHash: z.string(),
      asOf: z.string(),
      createdAt: z.string(),
      currency: z.string(),
      lineCount: z.number().int(),
      payments: Cents,
      adjustments: Cents,
      net: Cents,
      roster: z.number().int().optional(),
      drop: z.number().int().optional(),
      acceptedReason: z.string().optional(),
      inputs: z.array(z.object({ label: z.string(), sha256: z.string() })),
    }),
  ),
});

export const BalancesResponseSchema = z.object({
  ok: z.literal(true),
  by: z.enum(["student", "clause", "payer"]),
  currency: z.string(),
  balances: z.array(z.object({ key: z.string().describe("the student key (\"\" for cohort payments), clause id or payer"), amount: Cents, lines: z.number().int() })),
});

export const ContractsResponseSchema = z.object({
  ok: z.literal(true),
  contracts: z.array(z.object({ identity: z.string(), explicit: z.boolean(), title: z.string(), recordedAt: z.string(), profile: z.unknown() })),
});

export const VerifyResponseSchema = z.object({
  ok: z.boolean().describe("true when every hash, total and append-only guard checks"),
  problems: z.array(z.string()).describe("what is wrong, one sentence each"),
  records: z.number().int(),
  settlements: z.number().int(),
  head: z.string().describe("the chain's last hash: keep it elsewhere to detect a rewritten ledger later"),
});

export const AdaptResponseSchema = z.object({
  ok: z.literal(true),
  csv: z.string().describe("the data set's CSV, ready for /run"),
  rows: z.number().int().describe("students written"),
  quality: z.unknown().describe("the data-quality report (obc.adapt-quality/1): rows read, accepted and rejected per file, never a value"),
});

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe("stable machine-readable code, e.g. bad-json, invalid-request, payload-too-large"),
      message: z.string().describe("a plain sentence; never contains a stack trace or data values"),
      path: z.string().optional().describe("for invalid-request: the path of the bad field, e.g. files.0.label"),
    }),
  })
  .describe("an error");

const Position = z.object({ line: z.number().int(), column: z.number().int(), offset: z.number().int() });
export const DiagnosticSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    severity: z.enum(["error", "warning", "info"]),
    message: z.string(),
    file: z.string(),
    start: Position,
    end: Position,
    label: z.string(),
    related: z.array(z.object({ start: Position, end: Position, label: z.string() })),
    help: z.string().optional(),
    suggestions: z.array(z.object({ message: z.string(), replacement: z.string(), start: Position, end: Position })),
    clause: z.string().optional(),
  })
  .describe("a diagnostic about the contract");

export const CheckResponseSchema = z.object({
  ok: z.boolean().describe("true when the contract has no errors"),
  diagnostics: z.array(DiagnosticSchema),
});

export const InvalidContractSchema = ErrorSchema.extend({ diagnostics: z.array(DiagnosticSchema) });

export const CompileResponseSchema = z.object({
  ok: z.literal(true),
  rules: z.unknown().describe("the json-rules-engine rule set (see obc compile)"),
  diagnostics: z.array(DiagnosticSchema).describe("warnings"),
});

export const RunResponseSchema = z.object({
  ok: z.literal(true),
  result: RunResultSchema,
  problems: z.array(DataProblemSchema).describe("data problems (also in result.dataQuality)"),
});

export const DataErrorsSchema = ErrorSchema.extend({ problems: z.array(DataProblemSchema) });

export const SummaryResponseSchema = z.object({
  ok: z.literal(true),
  markdown: z.string().describe("the summary as Markdown"),
  html: z.string().describe("the summary as a standalone, printable HTML page"),
  sourceMap: z.array(z.object({ sentence: z.string(), start: z.number().int(), end: z.number().int() })).describe("for each sentence, the range of the contract text it renders"),
});

const Amount = z.string().describe("an amount in major units, e.g. \"1600.00\"; absent when unbounded");
export const AnalysisResponseSchema = z.object({
  ok: z.literal(true),
  analysis: z.object({
    clauses: z.array(z.object({ clause: z.string(), name: z.string(), min: Amount.optional(), max: Amount.optional() })),
    studentMax: Amount.optional().describe("the most one student can be paid, after the student cap"),
    studentMin: Amount.optional().describe("the least (penalties can make it negative), after the floor"),
    maxClauses: z.array(z.string()).describe("the clauses that together give the maximum"),
  }),
});
