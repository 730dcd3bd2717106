/**
 * Clever roster CSV (the `students.csv` of Clever's SIS upload and Secure Sync exports) → Student.
 *
 * Rules (adapter version {@link CLEVER_VERSION}):
 * - the student's local id is `Student_id` (the SIS id; `--id-field state` uses `State_id`);
 *   a row without it is rejected (missing-key), a repeated id rejects the later row (duplicate);
 * - `Grade` goes through the grade table (Kindergarten → KG, PreKindergarten → PK, 1…12);
 * - `Ell_status`, `IEP_status`, `Section_504_status` and `Gifted_status` are Y/N flags;
 *   `Frl_status` is Free or Reduced (economically disadvantaged), Paid (not), Other (unknown),
 *   or a Y/N flag; anything else is an unreadable cell (`not-a-yes-no`), never a guess;
 * - `Gender`, `Race` and `Hispanic_Latino` are kept for equity reporting only, and
 *   `Section_504_status` as the value `section_504` (Y or N);
 * - never read: names, date of birth, address, e-mail, username, password, contacts, GPA.
 */
import { Columns } from "./cells.ts";
import type { Student, StudentFlags } from "./canonical.ts";
import { idSystemOf, readCsvRows, type AdapterContext } from "./context.ts";

export const CLEVER_VERSION = "clever-roster-csv/1";

export const CLEVER_STUDENT_COLUMNS = new Columns([
  { name: "Student_id", aliases: ["sis_id"], required: true },
  { name: "State_id" },
  { name: "School_id" },
  { name: "Grade" },
  { name: "Ell_status" },
  { name: "Frl_status" },
  { name: "IEP_status" },
  { name: "Section_504_status" },
  { name: "Gifted_status" },
  { name: "Gender" },
  { name: "Race" },
  { name: "Hispanic_Latino" },
]);

/** Whether a header is Clever's students.csv (its id column and at least one roster column). */
export function isCleverStudents(header: readonly string[]): boolean {
  return CLEVER_STUDENT_COLUMNS.score(header) >= 2 && CLEVER_STUDENT_COLUMNS.bind(header).missingRequired.length === 0;
}

/** Frl_status words: free or reduced-price meals → economically disadvantaged; paid → not; other → unknown. */
const FRL: Record<string, boolean | null> = { free: true, reduced: true, paid: false, other: null };

/** Reads a Clever students.csv. */
export async function readCleverStudents(ctx: AdapterContext): Promise<void> {
  const q = ctx.quality;
  const seen = new Set<string>();
  const which = ctx.options.idField ?? "local";
  const idColumn = which === "state" ? "State_id" : "Student_id";
  const system = idSystemOf(ctx, which);
  await readCsvRows(ctx, CLEVER_STUDENT_COLUMNS, (r) => {
    const id = r.id(idColumn);
    if (id === undefined) return q.reject(r.row, r.firstProblem()?.rule ?? "missing-key", idColumn);
    if (seen.has(id)) return q.reject(r.row, "duplicate", idColumn);
    seen.add(id);
    const gradeLevel = r.grade("Grade");
    const flags: StudentFlags = {};
    const el = r.flag("Ell_status");
    if (el !== undefined) flags.el = el;
    const iep = r.flag("IEP_status");
    if (iep !== undefined) flags.swd = iep;
    const gifted = r.flag("Gifted_status");
    if (gifted !== undefined) flags.gifted = gifted;
    const section504 = r.flag("Section_504_status");
    const frlText = r.text("Frl_status");
    if (frlText !== undefined) {
      const word = frlText.toLowerCase();
      if (Object.hasOwn(FRL, word)) flags.econDisadv = FRL[word]!;
      else {
        const yesNo = r.flag("Frl_status");
        if (yesNo !== undefined) flags.econDisadv = yesNo;
      }
    }
    const subgroups: Record<string, string> = {};
    for (const col of ["Gender", "Race", "Hispanic_Latino"]) {
      const v = r.text(col);
      if (v !== undefined) subgroups[col.toLowerCase()] = v;
    }
    if (section504 !== undefined && section504 !== null) subgroups["section_504"] = section504 ? "Y" : "N";
    const schoolId = r.id("School_id");
    if (!r.finish(q, ctx.options.strict ?? false)) return;
    const s: Student = { key: ctx.keyOf(id, system), flags, src: { format: "clever", fileSha256: ctx.sha256, row: r.row } };
    if (schoolId !== undefined) s.schoolId = schoolId;
    if (gradeLevel !== undefined) s.gradeLevel = gradeLevel;
    if (Object.keys(subgroups).length) s.subgroups = subgroups;
    ctx.sink.student(s);
  });
}
