/**
 * Generic CSV with a column mapping: any per-student file whose columns are named in a JSON
 * mapping `{ "dataSet": "students", "columns": { "student_id": "Student Number", "grade": "Gr" } }`
 * (contract field → header in the file; headers matched ignoring case, spaces and punctuation).
 *
 * Only mapped columns are read: everything else in the file is dropped unread. Cells are
 * trimmed; `*` and blanks are missing; `M/D/YYYY` dates become ISO; ids stay text.
 */
import { z } from "zod";
import { Columns, isMissing, isPiiHeader, normHeader, readDate } from "./cells.ts";
import { idSystemOf, readCsvRows, type AdapterContext } from "./context.ts";

export const GENERIC_VERSION = "generic-csv/1";

export const ColumnMappingSchema = z
  .object({
    dataSet: z.string().min(1).describe("the contract's data set the file fills"),
    columns: z.record(z.string().min(1), z.string().min(1)).describe("contract field → header in the file"),
    idSystem: z.string().min(1).optional().describe("the id system named in pseudonyms (default sis)"),
  })
  .strict();
export type ColumnMapping = z.infer<typeof ColumnMappingSchema>;

/** Parses a mapping file's text; the error names the bad field, never file contents beyond it. */
export function parseMapping(text: string): { ok: true; mapping: ColumnMapping } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ""));
  } catch {
    return { ok: false, message: "the mapping file is not valid JSON" };
  }
  const r = ColumnMappingSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, message: `the mapping file is not valid: ${i.path.join(".") || "(top)"}: ${i.message}` };
  }
  return { ok: true, mapping: r.data };
}

/** Reads a per-student CSV through a mapping. `keyField` is the contract's key column (default student_id). */
export async function readGeneric(ctx: AdapterContext, mapping: ColumnMapping, keyField = "student_id"): Promise<void> {
  const q = ctx.quality;
  const keyNorm = normHeader(keyField);
  const entries = Object.entries(mapping.columns);
  const keyEntry = entries.find(([field]) => normHeader(field) === keyNorm);
  if (!keyEntry) {
    q.fileProblem("mapping-has-no-key", keyField);
    return;
  }
  // a mapping may not read personal data (names, e-mails, birth dates, usernames, teachers)
  const personal = entries.filter(([field, header]) => isPiiHeader(field) || isPiiHeader(header));
  if (personal.length > 0) {
    for (const [field] of personal) q.fileProblem("personal-data-column", field);
    return;
  }
  // one column spec per mapped field: the field name is the spec name, the header its alias
  const cols = new Columns(entries.map(([field, header]) => ({ name: field, aliases: [header], required: field === keyEntry[0] })));
  const seen = new Set<string>();
  const system = mapping.idSystem ?? idSystemOf(ctx, "local");
  await readCsvRows(ctx, cols, (r) => {
    const id = r.id(keyEntry[0]);
    if (id === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-key", keyEntry[0]);
    if (seen.has(id)) return q.reject(r.row, "duplicate", keyEntry[0]);
    seen.add(id);
    const values: Record<string, string> = {};
    for (const [field] of entries) {
      if (field === keyEntry[0] || !r.has(field)) continue;
      const raw = r.raw(field);
      if (isMissing(raw)) {
        q.missingValue(field);
        continue;
      }
      const t = raw!.trim();
      const d = /^\d{1,2}\/\d{1,2}\/\d{4}$/.test(t) ? readDate(t) : undefined;
      if (d && !d.ok) r.problem(field, d.rule);
      else values[field] = d?.ok && d.value ? d.value : t;
    }
    if (!r.finish(q, ctx.options.strict ?? false)) return;
    ctx.sink.values({ key: ctx.keyOf(id, system), values, src: { format: "generic-csv", fileSha256: ctx.sha256, row: r.row } });
  });
}
