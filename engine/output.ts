/**
 * The documented output of a run (`obc run --json`), as zod schemas.
 *
 * Money is a decimal string in major units with exactly two decimals ("1080.00"), never a
 * float. Lists are in a fixed order (students in roster order, lines in clause order,
 * periods in sorted order), so the same inputs give byte-identical JSON.
 *
 * Only what validates or documents results loads this module (and zod): the HTTP service,
 * `obc schema`, the tests. A run needs only its types, which `import type` erases.
 */
import { z } from "zod";

export const DataProblemSchema = z
  .object({
    code: z.string().regex(/^OBC5\d{3}$/).describe("Stable data-quality code, e.g. OBC5002."),
    severity: z.enum(["error", "warning"]),
    file: z.string().describe("The data file's label."),
    row: z.number().int().positive().optional().describe("1-based row number; the CSV header is row 1."),
    column: z.string().optional().describe("The column (declared field name, or header text for unknown columns)."),
    rule: z.string().describe('Short machine-readable reason, e.g. "not-a-date".'),
    message: z.string().describe("A plain sentence; never contains a cell value or a student id."),
  })
  .describe("One data-quality problem.");

export const FileReportSchema = z
  .object({
    file: z.string().describe("The data file's label."),
    encoding: z.string().optional().describe('How the file\'s bytes were read as text ("utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252", "xlsx"), when the caller decoded them.'),
    dataSet: z.string().describe("The name of the declared data set the file was read as."),
    rowsRead: z.number().int().nonnegative().describe("Non-empty data rows in the file."),
    rowsAccepted: z.number().int().nonnegative(),
    rowsRejected: z.number().int().nonnegative(),
    missingValues: z
      .record(z.string(), z.number().int().nonnegative())
      .describe("Per declared field, the number of accepted rows where the value is missing."),
    problems: z.array(DataProblemSchema),
    rejected: z
      .array(z.object({ row: z.number().int().positive(), rule: z.string() }))
      .describe("Rows that were not used, with the rule that rejected each."),
  })
  .describe("The data-quality report for one data file.");

const Money = z.string().regex(/^-?\d+\.\d{2}$/).describe("an amount in major units with two decimals, e.g. \"1080.00\"");
const SourceRef = z
  .object({
    start: z.number().int().describe("0-based offset of the clause text in the contract"),
    end: z.number().int(),
    line: z.number().int().describe("1-based line"),
    column: z.number().int().describe("1-based column"),
  })
  .describe("where in the contract the rule or clause is written");

export const ConditionTraceSchema = z.object({
  text: z.string().describe("the condition as written in the contract"),
  result: z.enum(["true", "false", "missing"]),
  values: z.record(z.string(), z.string()).describe("the values the condition read, by name"),
  source: SourceRef,
});
export type ConditionTrace = z.infer<typeof ConditionTraceSchema>;

export const PaymentLineSchema = z.object({
  clause: z.string().describe("the clause id, e.g. algebra_ready"),
  clauseName: z.string(),
  kind: z.string().describe("base, milestone, outcome, partial, bonus, penalty or payment"),
  version: z.string().optional().describe("the contract version (or amendment) the line was computed under"),
  status: z.enum(["met", "not-met", "missing", "excluded"]).describe("whether the clause's condition held for this student"),
  tier: z.number().int().optional().describe("1-based tier that paid, for tiered clauses"),
  base: Money.describe("the amount before weights and caps"),
  weight: z.string().describe("the product of the weights that apply, e.g. \"1.2\""),
  amount: Money.describe("after weights and rounding, before caps"),
  paid: Money.describe("after every cap"),
  withheld: Money.describe("held back by an escalation withholding"),
  funding: z.record(z.string(), Money).describe("the paid amount split by payer"),
  reason: z.string().describe("why, in a sentence"),
  conditions: z.array(ConditionTraceSchema),
  source: SourceRef,
});
export type PaymentLine = z.infer<typeof PaymentLineSchema>;

export const StudentResultSchema = z.object({
  id: z.string(),
  populations: z.record(z.string(), z.boolean()).describe("membership of each declared group of students"),
  lines: z.array(PaymentLineSchema),
  uncapped: Money,
  beforeContractCap: Money.describe("what the student's lines and floor pay after the caps per clause and per student and the floor, before the cap per contract"),
  total: Money.describe("what the student's lines pay after every cap and the floor"),
  funding: z.record(z.string(), Money),
});
export type StudentResult = z.infer<typeof StudentResultSchema>;

export const CohortResultSchema = z.object({
  clause: z.string(),
  clauseName: z.string(),
  version: z.string().optional().describe("the contract version (or amendment) the payment was computed under"),
  period: z.string().optional(),
  values: z.record(z.string(), z.string()).describe("the clause's named values for the period"),
  status: z.enum(["met", "not-met", "missing"]),
  amount: Money,
  paid: Money,
  funding: z.record(z.string(), Money),
  reason: z.string(),
  source: SourceRef,
});
export type CohortResult = z.infer<typeof CohortResultSchema>;

export const CheckpointResultSchema = z.object({
  period: z.string(),
  measures: z.record(z.string(), z.string()),
  level: z.number().int().describe("the highest level whose trigger holds; 0 when none"),
  actions: z.array(z.string()),
  withholding: z.string().optional().describe("the withholding in force after this checkpoint"),
  terminationRight: z.boolean(),
});
export const EscalationResultSchema = z.object({
  name: z.string(),
  checkpoints: z.array(CheckpointResultSchema),
});
export type EscalationResult = z.infer<typeof EscalationResultSchema>;

export const TotalsSchema = z.object({
  uncapped: Money,
  beforeContractCap: Money.describe("every student's amount after the caps per student and the floor, and every cohort payment, before the cap per contract"),
  paid: Money,
  withheld: Money,
  byClause: z.record(z.string(), Money),
  byPayer: z.record(z.string(), Money),
  contractCap: z
    .object({ cap: Money, binds: z.boolean(), factor: z.string().describe("paid ÷ uncapped, exact, e.g. \"1800/1970\"") })
    .optional(),
});

export const InternalErrorSchema = z
  .object({
    code: z.literal("OBC9001"),
    failures: z.array(z.string()).describe("what OBC found wrong with its own result: each OBC9001 problem's message"),
  })
  .describe("present only when OBC broke one of its own guarantees (a bug in OBC): the result must not be paid or recorded");
export type InternalError = z.infer<typeof InternalErrorSchema>;

export const RunResultSchema = z.object({
  schema: z.literal("obc.run/1"),
  internalError: InternalErrorSchema.optional(),
  contract: z.object({ title: z.string(), version: z.string().optional(), currency: z.string() }),
  asOf: z.string().optional().describe("the clock given to the run (YYYY-MM-DD); the engine never reads the system clock"),
  students: z.array(StudentResultSchema),
  cohorts: z.array(CohortResultSchema),
  escalations: z.array(EscalationResultSchema),
  totals: TotalsSchema,
  dataQuality: z.object({
    files: z.array(FileReportSchema),
    problems: z.array(DataProblemSchema),
  }),
});
export type RunResult = z.infer<typeof RunResultSchema>;

/** The JSON Schema of `obc run --json`, for other tools. */
export function runResultJsonSchema(): unknown {
  return z.toJSONSchema(RunResultSchema);
}
