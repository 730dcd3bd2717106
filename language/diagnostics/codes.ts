/**
 * The diagnostic code registry: the only place diagnostic message text lives.
 *
 * Ranges:
 * - OBC1xxx syntax (lexer and parser)
 * - OBC2xxx names and resolution
 * - OBC3xxx types and units
 * - OBC4xxx clause logic (tiers, deadlines, percents, caps, missing-value rules)
 * - OBC5xxx data quality (found at run time, in the data files)
 * - OBC9xxx internal errors of OBC itself (a bug to report, never the user's fault)
 *
 * Codes and names are stable and never reused. Messages are whole plain sentences for the
 * people who write policy, with `{placeholders}` filled by {@link diag}.
 */
import type { Diagnostic, Label, Severity, Suggestion } from "./types.ts";

export interface CodeInfo {
  /** "OBC2001" */
  code: string;
  /** Stable kebab-case name, e.g. "unknown-name". */
  name: string;
  /** Default severity; a stage may override it per diagnostic. */
  severity: Severity;
  /** One line for the docs. */
  title: string;
  /** Message template with `{placeholders}`. */
  message: string;
  /** Help template; shown only when every placeholder in it is given. */
  help?: string;
  /** A small complete .obc snippet that triggers the code (for docs and CI). */
  example?: string;
  /** For a code no small snippet can trigger (a file over 2 MB, a hundred problems): why, and where it is tested. */
  noExample?: string;
}

type Entry = Omit<CodeInfo, "code">;

const ENTRIES: Record<string, Entry> = {
  // ───────────── OBC1xxx syntax ─────────────
  OBC1001: {
    name: "unexpected-token", severity: "error", title: "Something unexpected appears here",
    message: "I expected {expected} after {after}, but found {found}.",
    help: "{example}",
    example: `contract "Example" {
  term 2026-09-01 until 2027-06-30
}
`,
  },
  OBC1002: {
    name: "unexpected-end", severity: "error", title: "The file ends too early",
    message: "The file ended before {what} was finished. I expected {expected}.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays
`,
  },
  OBC1003: {
    name: "unknown-character", severity: "error", title: "A character the language does not use",
    message: "I don't understand the character {char} here.",
    example: `contract "Example" {
  term 2026-09-01 to 2027-06-30;
}
`,
  },
  OBC1004: {
    name: "unterminated-string", severity: "error", title: "Text in quotes is never closed",
    message: "This text in quotes is never closed: add a closing \" on the same line.",
    example: `contract "Example" {
  track "Tutor retention" "from the spring survey
}
`,
  },
  OBC1005: {
    name: "unknown-statement", severity: "error", title: "A statement that does not start with a known keyword",
    message: "I don't recognise the statement starting with {found}.",
    help: "Statements inside a contract start with one of: {keywords}.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcom "Ready" pays $900 per student when eoy_score >= 70
}
`,
  },
  OBC1006: {
    name: "bad-date", severity: "error", title: "A date that is not on the calendar",
    message: "{text} is not a valid calendar date. Write dates as YYYY-MM-DD, e.g. 2026-10-15.",
    example: `contract "Example" {
  term 2026-09-01 to 2027-02-30
}
`,
  },
  OBC1007: {
    name: "no-contract", severity: "error", title: "The file has no contract",
    message: "The file has no contract. Start it with: contract \"Title\" { … }",
    example: `// Notes for a contract that is not written yet.
`,
  },
  OBC1008: {
    name: "duplicate-section", severity: "error", title: "A section that may appear once appears twice",
    message: "The contract already has a {section}.",
    help: "Keep one {section} and remove the other.",
    example: `contract "Example" {
  term 2026-09-01 to 2027-06-30
  term 2026-08-15 to 2027-06-15
}
`,
  },
  OBC1009: {
    name: "unclosed-brace", severity: "error", title: "An opening { without its closing }",
    message: "The file ends before {what} is closed: a closing } is missing.",
    help: "Add the missing } where {what} should end.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
`,
  },

  OBC1010: {
    name: "bad-amount", severity: "error", title: "An amount of money written in a way that is not exact",
    message: "{text} is not a valid amount of money. Write amounts like $1,600 or $1,600.50: commas between groups of three digits and at most two digits for cents.",
    example: `contract "Example" {
  data students { sessions: count }
  milestone "Dosage" pays $2,50 per student when sessions >= 30
}
`,
  },

  OBC1011: {
    name: "nesting-too-deep", severity: "error", title: "Brackets or negations nested too deeply",
    message: "This is nested more than {limit} levels deep (brackets, `not`, `-`, `% of` or `month starts` inside one another), so I stopped reading the file here.",
    help: "Give an inner part a name with `metric name = …` or `condition name = …` and use the name instead.",
    example: `contract "Example" {
  data students { eoy_score: score }
  metric m = ${"(".repeat(33)}eoy_score${")".repeat(33)}
}
`,
  },
  OBC1012: {
    name: "too-many-errors", severity: "error", title: "So many problems that reading stopped",
    message: "I stopped reading here after {count} problems. Fix those and check the file again.",
    help: "A file that is mostly not OBC (a spreadsheet, a binary file, text in another encoding) gives this; check that this is the contract you meant.",
    noExample: "It needs more than a hundred problems in one file; test/bounded-work.test.ts checks it on a megabyte of characters the language does not use.",
  },
  OBC1013: {
    name: "file-too-large", severity: "error", title: "A file too large to be a contract",
    message: "This file is {size} long; a contract or template may be at most {limit}, so I did not read it.",
    help: "Check that this is the contract you meant: the largest real contracts are a few dozen kilobytes.",
    noExample: "It needs a file over 2 MB; test/bounded-work.test.ts checks it on 10 MB of NUL characters.",
  },

  // ───────────── OBC2xxx names and resolution ─────────────
  OBC2001: {
    name: "unknown-name", severity: "error", title: "A name that is not declared",
    message: "I can't find a field, metric or condition named {name}.",
    help: "Did you mean {suggestion}?",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_scor >= 70
}
`,
  },
  OBC2002: {
    name: "unknown-clause", severity: "error", title: "A clause name that no clause has",
    message: "No payment clause is named {name}.",
    help: "Did you mean {suggestion}?",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  partial "Close" pays $400 per student when not "ready" and eoy_score >= 60
}
`,
  },
  OBC2003: {
    name: "unknown-party", severity: "error", title: "A party that is not in the parties section",
    message: "{name} is not one of the contract's parties.",
    help: "The parties are: {parties}.",
    example: `contract "Example" {
  parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }
  routines { provder shares "session attendance" weekly }
}
`,
  },
  OBC2004: {
    name: "duplicate-name", severity: "error", title: "The same name declared twice",
    message: "{name} is declared twice.",
    help: "Rename one of them or remove the extra declaration.",
    example: `contract "Example" {
  data students { eoy_score: score  eoy_score: optional score }
}
`,
  },
  OBC2005: {
    name: "unknown-data-set", severity: "error", title: "A data set that is not declared",
    message: "There is no data set named {name}.",
    help: "The data sets are: {sets}.",
    example: `contract "Example" {
  data checkpoints each month { attended: count }
  cohort "Monthly attendance" over checkpoint { pays $100 }
}
`,
  },
  // OBC2006 (unknown-population) is retired: the grammar only has eligible, identified and served.
  OBC2007: {
    name: "population-not-declared", severity: "error", title: "A clause pays for a group of students that is never defined",
    message: "The clause pays per {population} student, but the contract never says which students are {population}.",
    help: "Add a line such as `{population} students when …` to the contract.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per served student when eoy_score >= 70
}
`,
  },

  OBC2008: {
    name: "unknown-frequency", severity: "error", title: "A frequency word the language does not know",
    message: "{name} is not a frequency I know. Use one of: {frequencies}.",
    example: `contract "Example" {
  parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }
  routines { provider shares "session attendance" fortnightly }
}
`,
  },
  OBC2009: {
    name: "cyclic-definition", severity: "error", title: "A metric defined in terms of itself",
    message: "{name} is defined in terms of itself, so it has no value.",
    help: "Define it from data fields or from other metrics that do not lead back to it.",
    example: `contract "Example" {
  data students { boy_score: score }
  metric target = boy_score + gap
  metric gap = target - boy_score
}
`,
  },
  OBC2010: {
    name: "data-set-without-period", severity: "error", title: "A per-period clause over a data set with no period",
    message: "{name} has one row per student, not one row per period, so it cannot be reviewed period by period.",
    help: "Declare the data set with `each month` (or another period column), e.g. `data checkpoints each month { … }`.",
    example: `contract "Example" {
  data students { sessions: count }
  cohort "Monthly dosage" over students { pays $100 }
}
`,
  },

  OBC2011: {
    name: "unknown-template", severity: "error", title: "A template that cannot be found",
    message: "I can't find a template named {name}.",
    help: "Did you mean {suggestion}? `obc templates` lists the library.",
    example: `contract "Example" {
  import base_paymnt from stdlib
}
`,
  },
  OBC2012: {
    name: "import-escape", severity: "error", title: "An import that reaches outside the contract's folder",
    message: "The import {path} points outside the contract's folder. Templates can only come from the library or from the contract's own folder and its subfolders.",
    help: "Copy the template into the contract's folder, or import it from the library with `from stdlib`.",
    example: `contract "Example" {
  import shared from "../shared/base"
}
`,
  },
  OBC2013: {
    name: "template-has-errors", severity: "error", title: "A template file that does not check",
    message: "The template {template} has errors ({count}), so it cannot be used. The first: {first}",
    example: `contract "Example" {
  import broken_bonus from "templates/broken_bonus"
  use broken_bonus(amount: $100)
}
`,
  },
  OBC2014: {
    name: "library-version", severity: "error", title: "A contract pinned to another version of the template library",
    message: "The contract asks for version {wanted} of the template library, but this is version {have}.",
    help: "Update the version in the import, after checking what changed in the library.",
    example: `contract "Example" {
  import base_payment from stdlib version "2.0"
}
`,
  },
  OBC2015: {
    name: "import-cycle", severity: "error", title: "Templates that import each other in a circle",
    message: "These imports go round in a circle: {cycle}.",
    help: "Remove one of the imports so that no template ends up importing itself.",
    example: `contract "Example" {
  import self_import from "templates/self_import"
  use self_import(amount: $400)
}
`,
  },
  OBC2016: {
    name: "template-not-imported", severity: "error", title: "A template used without an import",
    message: "The template {name} is used but never imported.",
    help: "Add `import {name} from stdlib` (or from a file) before using it.",
    example: `contract "Example" {
  data students { sessions: count }
  served students when sessions >= 10
  use base_payment(amount: $670)
}
`,
  },
  OBC2017: {
    name: "unknown-argument", severity: "error", title: "An argument the template does not take",
    message: "The template {template} has no parameter named {name}.",
    help: "Did you mean {suggestion}?",
    example: `contract "Example" {
  import base_payment from stdlib
  data students { sessions: count }
  served students when sessions >= 10
  use base_payment(amount: $670, rate: $10)
}
`,
  },
  OBC2018: {
    name: "missing-argument", severity: "error", title: "A required template argument is not given",
    message: "The template {template} needs a value for {name} ({type}).",
    example: `contract "Example" {
  import base_payment from stdlib
  data students { sessions: count }
  served students when sessions >= 10
  use base_payment(group: served)
}
`,
  },
  OBC2019: {
    name: "argument-type", severity: "error", title: "A template argument of the wrong kind",
    message: "The argument {name} must be {expected}.",
    example: `contract "Example" {
  import base_payment from stdlib
  data students { sessions: count }
  served students when sessions >= 10
  use base_payment(amount: 670)
}
`,
  },
  OBC2020: {
    name: "template-unknown-parameter", severity: "error", title: "A template that uses a parameter it does not declare",
    message: "The template {template} uses {name}, which is not one of its parameters.",
    example: `contract "Example" {
  import misnamed_param from "templates/misnamed_param"
  use misnamed_param(amount: $150)
}
`,
  },

  OBC2021: {
    name: "clause-reference-not-allowed", severity: "error", title: "A clause used as a condition where clauses are not yet decided",
    message: "The clause {name} can only be used as a condition inside a payment clause or a cohort clause: groups of students, metrics, conditions and weights are decided before any clause.",
    help: "Write the condition the clause uses instead, or move this condition into the clause that needs it.",
    example: `contract "Example" {
  data students { sessions: count  eoy_score: score }
  served students when "Dosage"
  milestone "Dosage" pays $300 per student when sessions >= 30
}
`,
  },
  OBC2022: {
    name: "clause-reference-cycle", severity: "error", title: "Clauses whose conditions refer to each other in a circle",
    message: "These clauses depend on each other in a circle, so none of them can be decided: {cycle}.",
    help: "Remove one of the references so that the clauses can be decided one after the other.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70 and not "Close"
  partial "Close" pays $400 per student when eoy_score >= 60 and not "Ready"
}
`,
  },

  OBC2023: {
    name: "population-needed", severity: "error", title: "A count, share or sum of students that does not say which students",
    message: "Say which students to {fn}: for example `{fn} of identified students where (…)`.",
    example: `contract "Example" {
  data students { sessions: count }
  cohort "Dosage" { pays $5,000 when (share where (sessions >= 10)) >= 80% }
}
`,
  },

  OBC2801: {
    name: "unknown-function", severity: "error", title: "A function the language does not have",
    message: "There is no function named {name}. The functions are: {functions}.",
    help: "Did you mean {suggestion}?",
    example: `contract "Example" {
  data students { referred: date  started: date }
  metric wait = days_from(referred, started)
}
`,
  },

  OBC2802: {
    name: "unknown-events", severity: "error", title: "An aggregate of a data set that is not a data set of events",
    message: "{name} is not a data set of events. The data sets of events are: {sets}.",
    help: "Declare the data set with one row per event, as in `data sessions keyed by student_id per session on session_date { … }`.",
    example: `contract "Example" {
  data students { grade: integer }
  metric n = count of sessions
}
`,
  },
  OBC2803: {
    name: "events-not-dated", severity: "error", title: "Weeks, runs, earliest or latest of rows that have no date",
    message: "The rows of {name} have no date, so they have no weeks and no earliest or latest row.",
    help: "Name the field that dates each row where the data set is declared: `per session on session_date`.",
    example: `contract "Example" {
  data students { grade: integer }
  data sessions per session { minutes: count }
  metric steady = count of weeks with at least 2 sessions
}
`,
  },
  OBC2804: {
    name: "unknown-calendar", severity: "error", title: "Weeks excluded by something that is not a data set of dates",
    message: "{name} is not a per-period data set of dates. The per-period data sets are: {sets}.",
    help: "Declare the excluded days as a data set with one row per date, as in `data holidays each holiday_date { }`.",
    example: `contract "Example" {
  data students { grade: integer }
  data sessions per session on held_on { held_on: date }
  metric run = longest run of weeks with at least 1 sessions excluding holidays
}
`,
  },
  OBC2805: {
    name: "events-with-period", severity: "error", title: "A data set of events that also has a period",
    message: "{name} has one row per event, so it has no period column: each row is dated by a field of its own.",
    help: "Remove `each …` and date the rows with `on <date field>`.",
    example: `contract "Example" {
  data students { grade: integer }
  data sessions each month per session { minutes: count }
}
`,
  },
  OBC2806: {
    name: "events-date-field", severity: "error", title: "Rows of events dated by something that is not one of their date fields",
    message: "{name} is not a date field of {set}.",
    help: "Declare the field in the data set, with the type date.",
    example: `contract "Example" {
  data students { grade: integer }
  data sessions per session on held_on { minutes: count }
}
`,
  },

  OBC2024: {
    name: "bad-contract-id", severity: "error", title: "A contract identifier the ledger cannot use",
    message: "The contract identifier {id} is not usable: write 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or a digit.",
    help: "The identifier names this contract in the settlement ledger for its whole life, e.g. `id \"lakeview-brightpath-2026\"`.",
    example: `contract "Example" id "Lakeview pilot #1" {
  parties { district "D" provider "P" }
}
`,
  },

  OBC2025: {
    name: "definition-too-deep", severity: "error", title: "An expression nested too deeply once the metrics it reads are counted",
    message: "This nests more than {limit} levels deep, counting the metrics, conditions and values it reads through their definitions.",
    help: "A definition built on a long chain of others (a metric that adds one to another, hundreds of times) is better written as one sum or one list.",
    noExample: "It needs a chain of hundreds of definitions; test/bounded-work.test.ts checks it on 5,000 metrics each built on the next.",
  },
  OBC2026: {
    name: "template-expansion-budget", severity: "error", title: "Templates that expand to more than a contract can hold",
    message: "Expanding the templates used here {why}, so I stopped expanding them.",
    help: "Templates that use other templates more than once multiply: check that each template uses the others only where it needs them.",
    noExample: "It needs a chain of template files that use each other; test/bounded-work.test.ts checks it on 25 templates that each use the next twice (2^24 statements).",
  },
  OBC2027: {
    name: "import-not-a-file", severity: "error", title: "An import of something that is not a template file",
    message: "The import {path} is {what}, not a template file.",
    help: "Import a .obc file that holds a template, such as `import dosage from \"./clauses/dosage.obc\"`.",
    noExample: "It needs a folder or a named pipe on disk; test/diagnostics/bad/ has a contract that imports a folder, and test/bounded-work.test.ts a named pipe.",
  },
  OBC2028: {
    name: "product-too-large", severity: "error", title: "A value that multiplies too many values together",
    message: "This multiplies more than {limit} values together, counting the metrics it reads through their definitions: its exact value would have too many digits to compute.",
    help: "Payments multiply a few values at most (a rate by a count, a squared gain). Check that no metric multiplies the one before it again and again.",
    example: `contract "Example" {
  data students { rate: decimal }
  metric r2 = rate * rate
  metric r4 = r2 * r2
  metric r8 = r4 * r4
  metric r16 = r8 * r8
  metric r32 = r16 * r16
  metric r64 = r32 * r32
  metric r128 = r64 * r64
  outcome "Growth" pays $100 per student when r128 > 1
}
`,
  },
  OBC2701: {
    name: "amendment-names-unknown-item", severity: "error", title: "An amendment that removes, replaces or renames something not in force",
    message: "Amendment {version} {what}, but the contract in force before it has no such item.",
    help: "Did you mean {suggestion}?",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  amendment "1.1" effective 2027-01-01 {
    remove "Readdy"
  }
}
`,
  },
  OBC2702: {
    name: "rename-to-taken-name", severity: "error", title: "A clause renamed to the name of another clause",
    message: "Amendment {version} renames {from} to {to}, but another clause in force already has that name.",
    help: "Choose another name, or remove the other clause first.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  outcome "Advanced" pays $200 per student when eoy_score >= 85
  amendment "1.1" effective 2027-01-01 {
    rename "Ready" to "Advanced"
  }
}
`,
  },
  OBC2703: {
    name: "replacement-not-a-clause", severity: "error", title: "Something other than clauses in place of a clause",
    message: "Only payment and cohort clauses can take the place of the clause {name}.",
    help: "Write this item in the amendment itself, outside the braces of `replace … with { … }`.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  amendment "1.1" effective 2027-01-01 {
    replace "Ready" with {
      cap $800 per student
    }
  }
}
`,
  },

  // ───────────── OBC3xxx types and units ─────────────
  OBC3001: {
    name: "type-mismatch", severity: "error", title: "Two values that cannot be compared",
    message: "{left} and {right} cannot be compared: {why}.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= $70
}
`,
  },
  OBC3002: {
    name: "bad-arithmetic", severity: "error", title: "Arithmetic on values that do not combine",
    message: "I can't {op} {left} and {right}: {why}.",
    example: `contract "Example" {
  data students { referred: date  started: date }
  metric wait = started - referred
}
`,
  },
  OBC3003: {
    name: "not-a-condition", severity: "error", title: "A value used where true or false is needed",
    message: "This is {type}, but a condition (true or false) is needed here.",
    example: `contract "Example" {
  data students { sessions: count }
  milestone "Dosage" pays $300 per student when sessions
}
`,
  },
  OBC3004: {
    name: "not-money", severity: "error", title: "A payment amount that is not money",
    message: "A payment amount must be money, but this is {type}.",
    example: `contract "Example" {
  data students { sessions: count }
  milestone "Dosage" pays 300 per student when sessions >= 30
}
`,
  },
  OBC3005: {
    name: "percent-without-sign", severity: "error", title: "A percentage compared with a plain number",
    message: "{field} is a percentage, so compare it with a percentage such as {value}%.",
    example: `contract "Example" {
  data students { attendance_rate: percent }
  outcome "Attendance" pays $300 per student when attendance_rate >= 90
}
`,
  },
  OBC3006: {
    name: "unknown-type", severity: "error", title: "A field type the language does not have",
    message: "{type} is not a data type. Use one of: {types}.",
    example: `contract "Example" {
  data students { school_name: string }
}
`,
  },

  OBC3007: {
    name: "bad-currency", severity: "error", title: "A currency that is not an ISO 4217 code",
    message: "{code} is not a currency code. Write a three-letter code such as USD, GBP or EUR.",
    example: `contract "Example" {
  currency dollars
}
`,
  },

  OBC3008: {
    name: "aggregate-outside-cohort", severity: "error", title: "A count, share or sum of students outside a cohort clause",
    message: "A {fn} of students can only be used inside a cohort clause, which looks at all students together.",
    help: "Move this into a `cohort \"…\" { … }` clause.",
    example: `contract "Example" {
  data students { sessions: count }
  milestone "Dosage" pays $100 per student when (count of students where (sessions >= 10)) >= 20
}
`,
  },

  OBC3801: {
    name: "duration-alone", severity: "error", title: "A duration that is not added to or taken from a date",
    message: "The duration {duration} can only be added to a date or taken from one, as in `achieved_on + {duration}`.",
    help: "To count the days between two dates, write `days_between(first_date, second_date)`.",
    example: `contract "Example" {
  data students { sessions: count }
  metric long = sessions * 90 days
}
`,
  },
  OBC3802: {
    name: "function-arguments", severity: "error", title: "A function called with the wrong number of values",
    message: "{name} takes {expected}, but is given {given}.",
    help: "Write it as {usage}.",
    example: `contract "Example" {
  data students { referred: date }
  metric wait = days_between(referred)
}
`,
  },
  OBC3803: {
    name: "function-argument-type", severity: "error", title: "A function given a value of the wrong kind",
    message: "{name} needs {expected} here, but this is {found}.",
    help: "Write it as {usage}.",
    example: `contract "Example" {
  data students { referred: date  sessions: count }
  metric wait = days_between(referred, sessions)
}
`,
  },

  OBC3804: {
    name: "function-units", severity: "error", title: "A function given values that do not combine",
    message: "{name} needs values of one unit, but is given {types}.",
    help: "Give it two amounts, two scores, two percentages or two numbers, as in {usage}.",
    example: `contract "Example" {
  data students { boy_score: score  fee: money }
  metric most = max(boy_score, fee)
}
`,
  },

  OBC3805: {
    name: "weeks-at-least", severity: "error", title: "Weeks with at least a number of rows that is not a whole number from 1",
    message: "Weeks with at least {n} rows: the number of rows must be a whole number, 1 or more.",
    help: "Write it as `count of weeks with at least 2 sessions`.",
    example: `contract "Example" {
  data students { grade: integer }
  data sessions per session on held_on { held_on: date }
  metric steady = count of weeks with at least 1.5 sessions
}
`,
  },

  // ───────────── OBC4xxx clause logic ─────────────
  OBC4001: {
    name: "deadline-outside-term", severity: "error", title: "A deadline outside the contract term",
    message: "The deadline {date} is outside the contract term ({start} to {end}).",
    example: `contract "Example" {
  term 2026-09-01 to 2027-06-30
  data students { sessions_by_jul15: count }
  milestone "Dosage" due 2027-07-15 pays $300 per student when sessions_by_jul15 >= 30
}
`,
  },
  OBC4002: {
    name: "percent-over-100", severity: "error", title: "A percentage above 100%",
    message: "{value}% is more than 100%.",
    example: `contract "Example" {
  data students { savings: money }
  outcome "Savings share" pays 120% of savings per student
}
`,
  },
  OBC4003: {
    name: "tier-unreachable", severity: "error", title: "A tier that an earlier tier always catches first",
    message: "This tier can never pay: every student it would catch is caught by an earlier tier ({earlier}).",
    example: `contract "Example" {
  data students { growth: score }
  outcome "Growth" pays per student in tiers {
    when growth >= 5: $375
    when growth >= 10: $750
    otherwise: $0
  }
}
`,
  },
  OBC4004: {
    name: "tier-overlap", severity: "warning", title: "Two tiers that can both match the same student",
    message: "This tier overlaps an earlier tier ({earlier}): a student who meets both is paid only by the earlier one.",
    example: `contract "Example" {
  data students { growth: score }
  outcome "Growth" pays per student in tiers {
    when growth >= 0 and growth <= 10: $200
    when growth >= 10 and growth <= 20: $400
    otherwise: $0
  }
}
`,
  },
  OBC4005: {
    name: "tier-no-otherwise", severity: "warning", title: "Tiers without an 'otherwise' line",
    message: "The tiers have no 'otherwise' line, so a student who meets none of them gets no line for this clause.",
    help: "Add `otherwise: $0` as the last tier if that is intended.",
    example: `contract "Example" {
  data students { growth: score }
  outcome "Growth" pays per student in tiers {
    when growth >= 10: $750
    when growth >= 5: $375
  }
}
`,
  },
  OBC4006: {
    name: "missing-rule-needed", severity: "error", title: "A clause reads a value that may be missing without saying what then happens",
    message: "This clause reads {field}, which may be missing, but doesn't say what happens when it is.",
    help: "Add `if missing: not met` after the clause, or test `{field} is present` in the condition.",
    example: `contract "Example" {
  data students { eoy_score: optional score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
}
`,
  },
  OBC4007: {
    name: "never-pays", severity: "warning", title: "A clause that can never pay",
    message: "This clause can never pay: {why}.",
    example: `contract "Example" {
  data students { eoy_score: score }
  bonus "Summer" pays $100 per student when false
}
`,
  },
  OBC4008: {
    name: "cap-below-clause", severity: "warning", title: "A cap lower than a single clause's payment",
    message: "The cap of {cap} is less than the {amount} that {clause} alone can pay, so that payment is always cut back.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  cap $600 per student
}
`,
  },
  OBC4009: {
    name: "funding-over-100", severity: "error", title: "Funding shares that add up to more than 100%",
    message: "The funding shares add up to {total}%, which is more than 100%.",
    example: `contract "Example" {
  parties { district "Lakeview Unified"  funder "Lakeview Foundation" }
  funding {
    funder pays 60% of every line
    district pays 50% of every line
  }
}
`,
  },
  OBC4010: {
    name: "funding-no-rest", severity: "error", title: "Funding shares that leave part of each line unpaid",
    message: "The funding shares add up to {total}% and no party pays the rest, so part of every line has no payer.",
    help: "Add a line such as `{party} pays the rest`.",
    example: `contract "Example" {
  parties { district "Lakeview Unified"  funder "Lakeview Foundation" }
  funding {
    funder pays 40% of every line
    district pays 50% of every line
  }
}
`,
  },
  OBC4011: {
    name: "term-reversed", severity: "error", title: "A term that ends before it starts",
    message: "The term ends ({end}) before it starts ({start}).",
    example: `contract "Example" {
  term 2027-06-30 to 2026-09-01
}
`,
  },
  OBC4012: {
    name: "weight-not-positive", severity: "error", title: "A weight of zero or less",
    message: "A weight must be more than 0, but this one is {value}.",
    example: `contract "Example" {
  data students { iep: boolean  eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  weight 0 for iep on "Ready"
}
`,
  },
  OBC4013: {
    name: "escalation-levels-order", severity: "error", title: "Escalation levels out of order",
    message: "Escalation levels must be numbered 1, 2, 3, … in order, but level {level} comes after level {previous}.",
    example: `contract "Example" {
  parties { district "Lakeview Unified"  provider "Bright Path Tutoring" }
  data checkpoints each month { attended: count }
  escalation "Attendance" over checkpoints {
    level 1 when attended < 6 { district "sends a notice" }
    level 3 when attended < 4 { provider "submits a plan" }
  }
}
`,
  },
  OBC4014: {
    name: "unused-missing-rule", severity: "info", title: "A missing-value rule on a clause that reads no optional field",
    message: "This clause says what happens when a value is missing, but none of the fields it reads can be missing.",
    help: "Remove the `if missing` line, or mark the field `optional` if it can be blank in the data.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
    if missing: not met
}
`,
  },

  OBC4015: {
    name: "condition-reads-missing", severity: "error", title: "A group or weight defined from a value that may be missing",
    message: "The rule for {population} students reads {field}, which may be missing, so some students could not be placed.",
    help: "Test `{field} is present` (or `is missing`) in the rule, or give a fallback with `otherwise`.",
    example: `contract "Example" {
  data students { boy_score: optional score }
  identified students when boy_score < 60
}
`,
  },
  OBC4016: {
    name: "consecutive-below-one", severity: "error", title: "A trigger that must hold for fewer than one checkpoint",
    message: "A trigger must hold for at least 1 consecutive checkpoint.",
    example: `contract "Example" {
  parties { district "Lakeview Unified" }
  data checkpoints each month { attended: count }
  escalation "Attendance" over checkpoints {
    level 1 when attended < 6 for 0 consecutive checkpoints { district "sends a notice" }
  }
}
`,
  },

  OBC4017: {
    name: "amendment-outside-term", severity: "error", title: "An amendment that takes effect outside the term",
    message: "The amendment takes effect on {date}, outside the contract term ({start} to {end}).",
    example: `contract "Example" {
  term 2026-09-01 to 2027-06-30
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  amendment "1.1" effective 2027-08-01 {
    outcome "Ready" pays $950 per student when eoy_score >= 70
  }
}
`,
  },
  OBC4018: {
    name: "amendment-order", severity: "error", title: "Amendments out of date order",
    message: "Amendment {version} takes effect on {date}, before the amendment written above it ({previous}). List amendments in the order they take effect.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  amendment "1.1" effective 2027-02-01 {
    outcome "Ready" pays $950 per student when eoy_score >= 70
  }
  amendment "1.2" effective 2027-01-04 {
    outcome "Ready" pays $925 per student when eoy_score >= 70
  }
}
`,
  },

  OBC4019: {
    name: "in-order-cap-scope", severity: "error", title: "An in-order allocation on a cap that is not per student",
    message: "A cap can be allocated `in order` (later clauses cut first) only when it is a cap per student; caps per contract and per clause are always shared pro rata.",
    help: "Remove `, allocated in order`, or write `allocated pro rata`.",
    example: `contract "Example" {
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
  cap $500,000 per contract, allocated in order
}
`,
  },

  OBC4020: {
    name: "non-monotone-tiers", severity: "warning", title: "Tiers that pay less for a better result",
    message: "Payments fall as outcomes improve: {better} is for a better result than {worse} but pays less.",
    help: "Check the amounts: usually the tier with the higher threshold pays the most.",
    example: `contract "Example" {
  data students { growth: score }
  outcome "Growth" pays per student in tiers {
    when growth >= 10: $300
    when growth >= 5: $500
    otherwise: $0
  }
}
`,
  },
  OBC4021: {
    name: "tier-gap", severity: "warning", title: "Bands of tiers with a gap between them",
    message: "No tier covers the values between {from} and {to}, so a student there gets no line for this clause.",
    help: "Make the bands meet (e.g. `< 10` then `>= 10`), or add an `otherwise:` tier.",
    example: `contract "Example" {
  data students { growth: score }
  outcome "Growth" pays per student in tiers {
    when growth >= 0 and growth < 5: $100
    when growth >= 6 and growth < 10: $300
  }
}
`,
  },

  OBC4022: {
    name: "payer-unclear", severity: "error", title: "Several parties could pay, and no funding section says who does",
    message: "{parties} could each pay, but there is no funding section saying who pays each line.",
    help: "Add a funding section, for example `funding { {example} }`.",
    example: `contract "Example" {
  parties {
    district "Lakeview Unified"
    funder "Lakeview Foundation"
  }
}
`,
  },
  OBC4023: {
    name: "funding-party-repeated", severity: "error", title: "A party named twice in the funding section",
    message: "The funding section names {party} twice{also}; each party pays one share of every line.",
    help: "Write one line for {party} with its whole share, and remove the other.",
    example: `contract "Example" {
  parties { district "Lakeview Unified" }
  funding {
    district pays 40% of every line
    district pays 60% of every line
  }
}
`,
  },
  OBC4024: {
    name: "no-payer", severity: "error", title: "A contract whose parties include no one who pays",
    message: "No party of this contract pays: none is a district, a payor or a funder, and there is no funding section.",
    help: "Add the party that pays to the parties section (for example `district \"Lakeview Unified\"`), or a funding section that names who pays.",
    example: `contract "Example" {
  parties { provider "Bright Path Tutoring" }
}
`,
  },

  // ───────────── OBC46xx readings a lawyer may take otherwise ─────────────
  OBC4601: {
    name: "due-is-not-a-performance-deadline", severity: "warning", title: "A deadline whose condition does not say by when",
    message: "'{clause}' is due on {date}, but its condition does not say by when it must be met: `due` only makes the payment payable from that date, whatever the date the condition was met.",
    help: "Make the condition measure by the deadline: read a value recorded by that date (a field such as `sessions_by_feb28`, or one whose description gives the date), or compare a date with it (such as `first_session_date <= {date}`).",
    example: `contract "Example" {
  data students { sessions: count }
  milestone "Dosage" due 2027-02-28 pays $300 per student when sessions >= 30
}
`,
  },
  OBC4602: {
    name: "withholding-never-released", severity: "warning", title: "Withheld money that is never released",
    message: "The money withheld at level {level} of '{escalation}' is never released: the contract does not say whether it is paid at the end or kept by the payers, and OBC keeps holding it back.",
    help: "Add `until <condition>` to say when the money is released, for example `until attendance_rate >= 75%`.",
    example: `contract "Example" {
  data students { eoy_score: score }
  data checkpoints each month { scheduled: count  attended: count }
  milestone "Dosage" pays $300 per student when eoy_score >= 0
  escalation "Attendance" over checkpoints {
    measure rate = attended / scheduled
    level 1 when rate < 60% {
      withhold 10% of milestone payments
    }
  }
}
`,
  },
  OBC4603: {
    name: "blank-date-not-met", severity: "warning", title: "A blank date that counts as not met",
    message: "A blank {field} leaves this comparison undecided, so a student with no {field} is {outcome} '{clause}', although a blank date often means that nothing has happened yet (a student who has not left).",
    help: "Say what a blank means: `{field} is missing or …` counts it as not having happened, `{field} is present and …` as not meeting the condition.",
    example: `contract "Example" {
  data students { exit_date: optional date  eoy_score: score }
  outcome "Ready" pays $900 per student when exit_date >= 2027-05-01 and eoy_score >= 70
    if missing: not met
}
`,
  },
  OBC4604: {
    name: "term-named-like-clause", severity: "warning", title: "A defined term and a clause with the same name",
    message: "The clause '{clause}' has the name of the value '{name}', so the summary would call two different things by one name.",
    help: "Rename one of them, for example the clause '{clause} payment'.",
    example: `contract "Example" {
  data students { boy_score: score  eoy_score: score }
  metric growth = eoy_score - boy_score
  partial "Growth" pays $400 per student when growth >= 10
}
`,
  },
  OBC4605: {
    name: "payment-without-payee", severity: "warning", title: "A payment that names nobody to receive it",
    message: "Nobody is named to receive the '{clause}' payments: {why}, and the clause does not say to whom it pays.",
    help: "Name the party paid with `to <party>` {where}, for example `to provider`.",
    example: `contract "Example" {
  parties { payor "State of Utah" as state  intermediary "United Way" }
  data students { eoy_score: score }
  outcome "Ready" pays $900 per student when eoy_score >= 70
}
`,
  },

  // ───────────── OBC47xx amendments that may not do what they seem to say ─────────────
  OBC4701: {
    name: "amendment-never-takes-effect", severity: "warning", title: "An amendment item that can never take effect",
    message: "This change to {name} in amendment {version} can never take effect: {why}.",
    help: "Move the deadline to a date on or after the amendment's effective date, or take this item out of the amendment.",
    example: `contract "Example" {
  term 2026-09-01 to 2027-06-30
  data students { sessions_by_oct15: count }
  milestone "Onboarded" due 2026-10-15 pays $200 per student when sessions_by_oct15 >= 1
  amendment "1.1" effective 2027-01-01 {
    milestone "Onboarded" due 2026-10-15 pays $250 per student when sessions_by_oct15 >= 1
  }
}
`,
  },
  OBC4702: {
    name: "amendment-adds-similar-clause", severity: "warning", title: "An amendment adds a clause beside a similar one that stays in force",
    message: "Amendment {version} adds {added} beside {kept}, which stays in force, so both are paid.",
    help: "To change {kept}, give the new clause the same name; to put new clauses in its place, write `replace {kept} with { … }`; to end it, write `remove {kept}`.",
    example: `contract "Example" {
  term 2026-09-01 to 2027-06-30
  data students { sessions: count  midyear_score: score }
  milestone "Midyear" pays $300 per student when sessions >= 20
  amendment "1.1" effective 2027-01-01 {
    milestone "Midyear attendance" pays $150 per student when sessions >= 20
    milestone "Midyear growth" pays $150 per student when midyear_score >= 50
  }
}
`,
  },

  // ───────────── OBC5xxx data quality ─────────────
  OBC5001: {
    name: "missing-column", severity: "error", title: "A data file without a declared field's column",
    message: "The file {file} has no column for {field}.",
  },
  OBC5002: {
    name: "malformed-cell", severity: "error", title: "A cell whose value is not of the field's type",
    message: "Row {row}, column {column} of {file}: this is not a valid {type}.",
  },
  OBC5003: {
    name: "missing-value", severity: "error", title: "A blank cell in a required field",
    message: "Row {row} of {file} has no value for the required field {column}.",
    help: "Fill in the value, or mark {column} `optional` in the contract if it may be blank.",
  },
  OBC5004: {
    name: "duplicate-id", severity: "error", title: "The same student id on two rows",
    message: "Row {row} of {file} repeats a student id first seen on row {first}.",
  },
  OBC5005: {
    name: "unknown-student", severity: "error", title: "A row for a student who is not in the roster",
    message: "Row {row} of {file} names a student who is not in {roster}.",
  },
  OBC5006: {
    name: "unknown-column", severity: "warning", title: "A column the contract does not use",
    message: "The file {file} has a column {column} that the contract does not use; it is ignored.",
  },
  OBC5007: {
    name: "empty-file", severity: "warning", title: "A data file with no rows",
    message: "The file {file} has no rows of data.",
  },
  OBC5008: {
    name: "ragged-row", severity: "error", title: "A row with more or fewer cells than the header",
    message: "Row {row} of {file} has {count} cells, but the header has {expected}.",
  },
  OBC5009: {
    name: "missing-key", severity: "error", title: "A row without a student id",
    message: "Row {row} of {file} has no value in the id column {column}, so it cannot be matched to a student.",
  },
  OBC5010: {
    name: "unmatched-data-file", severity: "error", title: "A data file that matches no data set of the contract",
    message: "The file {file} does not match any data set of the contract: its columns fit none of {sets}.",
    help: "Name the data set explicitly: --data {example}",
  },
  OBC5012: {
    name: "unreadable-file", severity: "error", title: "A data file that cannot be read as a table",
    message: "The file {file} cannot be read as a table of records.",
  },
  OBC5013: {
    name: "division-by-zero", severity: "warning", title: "A calculation that divides by zero for a row",
    message: "Row {row} of {file}: a calculation divides by zero, so its value is treated as missing.",
  },
  OBC5090: {
    name: "amount-too-large", severity: "error", title: "Amounts too large to settle exactly",
    message: "The amounts of this run add up to more than OBC settles exactly ($90,071,992,547,409.91 in all), so nothing was settled.",
    help: "Look for a misplaced digit in the contract's amounts or in the money values of the data.",
  },
  OBC5014: {
    name: "unclosed-quote", severity: "error", title: "A quote that swallows the lines after it",
    message: "Row {row} of {file} (line {line}) opens a quoted cell that is not closed properly: it would swallow {lines}.",
    help: "Check the quotes on that row: a cell that starts with a quote must end with a quote followed by a comma or the end of the line, and a quote inside such a cell is written twice (\"\"). Nothing in this file was used.",
  },
  OBC5015: {
    name: "not-a-csv-file", severity: "error", title: "A data file that is not CSV text (a workbook, a PDF, a binary file)",
    message: "The file {file} is {what}, not a CSV file.",
    help: "To use it, {action}.",
  },
  OBC5016: {
    name: "header-looks-like-data", severity: "error", title: "A first row that holds data instead of column names",
    message: "The first row of {file} looks like data, not column names: {columns} of it hold numbers, dates or true/false values.",
    help: "The first row must name the columns (such as student_id); add it above the data. Nothing in this file was used.",
  },
  OBC5017: {
    name: "no-known-columns", severity: "error", title: "A first row that names none of the data set's columns",
    message: "The first row of {file} names none of the columns of the data set {dataSet}.",
    help: "The first row must name the columns, such as {expected}; add it if it is missing, or check that this is the right file. Nothing in this file was used.",
  },
  OBC5018: {
    name: "not-utf8", severity: "warning", title: "A data file that is not UTF-8, read in another encoding",
    message: "The file {file} is not UTF-8; it was read as {encoding}.",
    help: "Check that names and other text read correctly; to be sure, save the file as CSV UTF-8.",
  },
  OBC5019: {
    name: "unreadable-workbook", severity: "error", title: "An Excel workbook whose cells cannot all be read exactly",
    message: "The workbook {file} cannot be read: {reason}.",
    help: "To use it, {action}. Nothing in this file was used.",
  },
  OBC5020: {
    name: "no-usable-student", severity: "error", title: "A roster none of whose rows could be used",
    message: "Every row of {file} was rejected ({rows}), and it holds the roster, so no student could be paid.",
    help: "Fix the problems listed for this file (a missing id column, or a problem on every row) and run again.",
  },
  OBC9002: {
    name: "check-failed", severity: "error", title: "OBC could not finish checking a contract (a bug in OBC)",
    message: "I could not finish checking this contract: {reason}. This is a bug in OBC, not a mistake in the contract; please report it.",
    help: "Until it is fixed, the contract cannot be run.",
  },
  OBC9001: {
    name: "internal-error", severity: "error", title: "OBC broke one of its own guarantees (a bug in OBC)",
    message: "{what} This is a bug in OBC; please report it. The result must not be paid or recorded.",
  },
  OBC5011: {
    name: "missing-data-set", severity: "error", title: "No file given for a data set the contract reads",
    message: "No data was given for the data set {name}, which the contract reads.",
  },
};

/** Every registered code, keyed by code ("OBC1001"). */
export const CODES: Record<string, CodeInfo> = Object.fromEntries(
  Object.entries(ENTRIES).map(([code, entry]) => [code, { code, ...entry }]),
);

/**
 * Looks up a code.
 * @param code e.g. "OBC2001"
 * @returns its registry entry
 * @throws Error when the code is not registered (a programming error, never a user error)
 */
export function codeInfo(code: string): CodeInfo {
  const info = CODES[code];
  if (!info) throw new Error(`Unknown diagnostic code ${code}`);
  return info;
}

/** Values for template placeholders. */
export type Params = Record<string, string | number>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The placeholder names in a template, in order of appearance, without repeats.
 * Only `{identifier}` counts, so literal text such as `{ … }` is left alone.
 */
export function placeholders(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1]))];
}

/** A value longer than this many characters is shortened in a message (a name or text from the contract can be of any length). */
const MAX_PARAM_LENGTH = 500;

/** A value as a message shows it: whole, or its first 400 characters and "…" when it is longer than {@link MAX_PARAM_LENGTH}. */
export function paramText(value: unknown): string {
  const s = String(value);
  if (s.length <= MAX_PARAM_LENGTH) return s;
  const cut = s.charCodeAt(399) >= 0xd800 && s.charCodeAt(399) <= 0xdbff ? 399 : 400;
  return s.slice(0, cut) + "…";
}

/**
 * Fills `{placeholders}` in a template.
 * @param template text with `{name}` placeholders
 * @param params values by placeholder name
 * @returns the filled text; placeholders without a value are left as written, and a value
 *   longer than 500 characters is shortened (so a message stays readable and bounded)
 */
export function fillTemplate(template: string, params: Params): string {
  return template.replace(PLACEHOLDER, (whole, key: string) =>
    Object.hasOwn(params, key) ? paramText(params[key]) : whole,
  );
}

export interface DiagOptions {
  related?: Label[];
  /** Extra values for the help template (on top of the message params). */
  helpParams?: Params;
  suggestions?: Suggestion[];
  /** Name of the enclosing clause. */
  clause?: string;
  /** Overrides the registry severity. */
  severity?: Severity;
}

/**
 * Builds a diagnostic from the registry.
 * @param code a registered code, e.g. "OBC2001"
 * @param params values for the message (and help) placeholders
 * @param primary where the problem is, with a short label
 * @param opts related labels, help values, suggestions, clause name, severity override
 * @returns the diagnostic; `help` is present only when every help placeholder has a value
 */
export function diag(code: string, params: Params, primary: Label, opts: DiagOptions = {}): Diagnostic {
  const info = codeInfo(code);
  const d: Diagnostic = {
    code,
    severity: opts.severity ?? info.severity,
    message: fillTemplate(info.message, params),
    primary,
    related: opts.related ?? [],
    suggestions: opts.suggestions ?? [],
  };
  if (info.help !== undefined) {
    const all = { ...params, ...opts.helpParams };
    if (placeholders(info.help).every((k) => Object.hasOwn(all, k))) d.help = fillTemplate(info.help, all);
  }
  if (opts.clause !== undefined) d.clause = opts.clause;
  return d;
}
