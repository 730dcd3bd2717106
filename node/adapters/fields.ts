/**
 * The per-student values each format yields, by name: what `obc adapt FORMAT --fields` prints
 * and what a contract's data set may declare (names are matched ignoring case, spaces and `_`;
 * `--map FIELD=NAME` takes any of them under another field name).
 *
 * Placeholders: <subject> ela, math, science, language_usage…; <window> fall, winter, spring;
 * <from>/<to> the windows of a growth span; <W> a session window (`--window W=DATE`, or a field
 * named `sessions_by_2027_01_31`); <n> a number. `test/adapters.test.ts` checks that every value
 * the adapters produce from the test files matches a line of its format here.
 */
import type { FormatId } from "./index.ts";

export interface FieldGroup {
  /** the names, with placeholders; the first of a line is the main one, the others aliases */
  names: string[][];
  what: string;
}

const ROSTER: FieldGroup = {
  what: "the roster: ids, grade (PK = -1, KG = 0, 1…12; grade_level is the CEDS code) and program flags (true, false; missing when blank)",
  names: [
    ["student_id", "key"],
    ["school_id"],
    ["district_id"],
    ["grade", "current_grade_level", "grade_number"],
    ["grade_level"],
    ["english_learner", "el", "ell", "english_language_learner", "lep"],
    ["iep", "swd", "students_with_disabilities", "special_education", "sped"],
    ["disability"],
    ["economic_disadvantage", "econ_disadv", "economically_disadvantaged", "frl", "free_reduced_lunch", "low_income"],
    ["gifted", "gifted_flag"],
    ["homeless", "homeless_flag"],
  ],
};

const TALLY = (prefix: string, suffix: string): string[][] => [
  [`${prefix}sessions${suffix}`, `${prefix}session_count${suffix}`, `${prefix}sessions_attended${suffix}`, `${prefix}attended_sessions${suffix}`],
  [`${prefix}sessions_recorded${suffix}`],
  [`${prefix}attended_minutes${suffix}`, `${prefix}minutes${suffix}`, `${prefix}tutoring_minutes${suffix}`],
  [`${prefix}attended_hours${suffix}`, `${prefix}hours${suffix}`, `${prefix}tutoring_hours${suffix}`],
  [`${prefix}weeks_with_session${suffix}`, `${prefix}weeks_with_sessions${suffix}`, `${prefix}active_weeks${suffix}`],
  [`${prefix}first_session_date${suffix}`],
  [`${prefix}last_session_date${suffix}`],
  [`${prefix}sessions_with_group_size${suffix}`],
  [`${prefix}max_group_size${suffix}`],
  [`${prefix}mean_group_size${suffix}`],
  [`${prefix}sessions_group_size_<n>${suffix}`],
];

const SESSIONS: FieldGroup = {
  what:
    "tutoring sessions (attended: more than 0 minutes), in all, per subject and per session window; group sizes " +
    "(students per tutor) over the attended sessions that state one, sessions_group_size_<n> = sessions in groups of at most n (1 to 6)",
  names: [...TALLY("", ""), ...TALLY("<subject>_", ""), ...TALLY("", "_<W>")],
};

const RESULT_SUFFIXES = ["score", "scale_score", "sem", "percentile", "date", "level", "level_ordinal", "minutes", "unified_score", "test_type", "grade"];
const GROWTH_SUFFIXES = [
  "observed_growth",
  "growth",
  "projected_growth",
  "typical_growth",
  "stretch_growth",
  "pct_stretch_growth",
  "met_projected_growth",
  "met_growth",
  "cgp",
  "cgi",
  "sgp",
  "pct_typical_growth",
];

const withInstrument = (inst: string, name: string): string[] => [name, `${inst}_${name}`];

function assessments(inst: string, extra: string[][] = []): FieldGroup {
  return {
    what:
      `assessment results, one per student, subject and window (the vendor's rule chooses it), also prefixed ${inst}_: ` +
      "score, percentile, SEM, date, level and its ordinal, minutes, Unified Score (Star), test type (NWEA), grade at the test; " +
      "growth per span <from>_to_<to>, and per window when one span ends there",
    names: [
      ...RESULT_SUFFIXES.map((s) => withInstrument(inst, `<subject>_<window>_${s}`)),
      ...GROWTH_SUFFIXES.flatMap((s) => [withInstrument(inst, `<subject>_<from>_to_<to>_${s}`), withInstrument(inst, `<subject>_<window>_${s}`)]),
      ...extra,
    ],
  };
}

const vendorRoster = (inst: string, flags: boolean): FieldGroup => ({
  what: `the vendor's copy of the roster (from the latest result): ${inst}_grade${flags ? " and the program flags" : ""}; also grade${flags ? " and the flags" : ""} under their roster names above when no roster file gives them`,
  names: [
    [`${inst}_grade`],
    ...(flags ? [[`${inst}_english_learner`], [`${inst}_iep`], [`${inst}_economic_disadvantage`]] : []),
    // the roster's own names, when no roster file gives them
    ...ROSTER.names.filter((line) => ["grade", "grade_level", ...(flags ? ["english_learner", "iep", "economic_disadvantage"] : [])].includes(line[0]!)),
  ],
});

const ATTENDANCE: FieldGroup = {
  what: "school attendance events (Ed-Fi)",
  names: [["absences"], ["excused_absences"], ["unexcused_absences"], ["absence_events"], ["tardies"], ["attendance_events"]],
};

export const FORMAT_FIELDS: Record<FormatId, FieldGroup[]> = {
  datas: [
    ROSTER,
    { what: "equity reporting (never used for payment unless a contract reads them)", names: [["gender"], ["ethnicity"]] },
    SESSIONS,
    {
      what: "the ordered outcome measures and performance levels of students.csv",
      names: [
        ["<subject>_outcome_measure_<n>"],
        withInstrument("datas", "<subject>_measure_<n>_score"),
        withInstrument("datas", "<subject>_measure_<n>_scale_score"),
        ["performance_level_previous"],
        ["performance_level_most_recent"],
        ["performance_level_earliest"],
      ],
    },
  ],
  nwea: [assessments("nwea"), vendorRoster("nwea", false)],
  iready: [
    assessments("iready", [
      ...RESULT_SUFFIXES.map((s) => withInstrument("iready", `<subject>_baseline_${s}`)),
      ...RESULT_SUFFIXES.map((s) => withInstrument("iready", `<subject>_most_recent_${s}`)),
    ]),
    vendorRoster("iready", true),
  ],
  star: [assessments("star", [withInstrument("star", "<subject>_<window>_current_sgp")]), vendorRoster("star", false)],
  edfi: [
    ROSTER,
    assessments("edfi"),
    SESSIONS,
    ATTENDANCE,
    { what: "interventions (Ed-Fi StudentInterventionAssociation)", names: [["interventions"], ["intervention_dosage_minutes"]] },
    { what: "enrollments", names: [["enrollments"], ["entry_date"], ["exit_date"]] },
  ],
  oneroster: [
    ROSTER,
    { what: "equity reporting (never used for payment unless a contract reads them)", names: [["sex"], ["race"], ["hispanic_or_latino"]] },
    assessments("oneroster"),
    { what: "enrollments", names: [["enrollments"], ["entry_date"], ["exit_date"]] },
  ],
  clever: [
    ROSTER,
    { what: "equity reporting (never used for payment unless a contract reads them), and Section 504 (Y or N)", names: [["gender"], ["race"], ["hispanic_latino"], ["section_504"]] },
  ],
  csv: [{ what: "the columns the mapping names, under the data set's field names", names: [["<column>"]] }],
};

/** The fields table of one format, as printed by `obc adapt FORMAT --fields`. */
export function renderFormatFields(format: FormatId): string {
  const out: string[] = [];
  for (const g of FORMAT_FIELDS[format]) {
    out.push(`${g.what}:`);
    for (const line of g.names) out.push(`  ${line[0]}${line.length > 1 ? `  (also ${line.slice(1).join(", ")})` : ""}`);
  }
  return out.join("\n") + "\n";
}

/** A regular expression over matched names (no case, spaces or `_`) for a name with placeholders. */
export function namePattern(name: string): RegExp {
  const body = name
    .toLowerCase()
    .split(/(<[a-z]+>)/i)
    .map((part) => (part.startsWith("<") ? "[a-z0-9]+" : part.replace(/[\s_]/g, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

/** Whether a produced value's name (matched form) is listed for a format. */
export function isListedField(format: FormatId, key: string): boolean {
  return FORMAT_FIELDS[format].some((g) => g.names.some((line) => line.some((n) => namePattern(n).test(key))));
}
